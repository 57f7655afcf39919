"""The demo's letters: a Mootshire councillor whose page shows a response rate."""

from __future__ import annotations

import pytest

from moothall.correspondence.demo_data import letters_to_councillors
from moothall.correspondence.models import Message, Reply
from moothall.correspondence.stats import response_rate
from moothall.councils.demo_data import mootshire
from moothall.councils.models import Councillor
from moothall.demo.registry import DemoContext

pytestmark = pytest.mark.django_db


def test_without_mootshire_the_step_does_nothing():
    assert letters_to_councillors(DemoContext()).startswith("skipped")
    assert not Message.objects.exists()


def test_the_demo_councillor_has_enough_letters_for_a_response_rate_and_runs_once():
    mootshire(DemoContext())

    summary = letters_to_councillors(DemoContext())

    seat = Councillor.objects.get(source="demo", source_id="mootshire-1")
    rate = response_rate(seat)
    assert summary == "13 letters to councillors, most answered"
    assert rate.shown
    assert (rate.counted, rate.answered) == (13, 10)
    assert Reply.objects.filter(author="sender").count() == 1
    assert letters_to_councillors(DemoContext()) == "already there"
    assert Message.objects.count() == 13
