"""The demo's moderation: reports, a hidden advert with its public log line and a warning
at Brackenford, made through the verbs, once."""

from __future__ import annotations

import pytest

from moothall.accounts.demo_data import demo_accounts
from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext, steps
from moothall.ideas import demo_data as ideas_demo
from moothall.moderation import demo_data
from moothall.moderation.models import Flag, LogEntry, Warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def brackenford() -> Council:
    mootshire(DemoContext())
    council = Council.objects.get(slug="brackenford")
    ideas_demo.build(council)
    return council


def _state(council: Council) -> tuple:
    return (
        sorted(Flag.objects.filter(council=council).values_list("kind", "reason", "outcome")),
        list(LogEntry.objects.filter(council=council).values_list("kind", "action", "rule")),
        Warning.objects.filter(council=council).count(),
    )


@pytest.fixture
def accounts(settings) -> None:
    settings.HTTPS = False  # the demo accounts are made for a local http demo only
    demo_accounts(DemoContext())


def test_the_demo_fills_the_queue_and_the_public_log(brackenford, accounts, client):

    line = demo_data.demo_moderation(DemoContext())

    assert line.startswith("3 reports")
    flags, log, warnings = _state(brackenford)
    assert flags == [
        ("idea", "personal", ""),
        ("idea_comment", "off_topic", ""),
        ("idea_comment", "spam", "hidden"),
        ("idea_comment", "spam", "hidden"),
        ("idea_comment", "spam", "hidden"),
    ]
    assert log == [("idea_comment", "hidden", "spam")]
    assert warnings == 1
    page = client.get("/brackenford/moderation-log/").content.decode()
    assert "Spam or advertising" in page
    assert demo_data.ADVERT not in page


def test_running_the_demo_twice_changes_nothing(brackenford, accounts):
    demo_data.demo_moderation(DemoContext())
    before = _state(brackenford)

    assert demo_data.demo_moderation(DemoContext()).startswith("already there")
    assert _state(brackenford) == before


def test_without_the_demo_accounts_the_step_does_nothing(brackenford):
    assert demo_data.demo_moderation(DemoContext()).startswith("skipped")
    assert not Flag.objects.exists()


def test_the_step_runs_after_the_ideas_and_the_accounts():
    names = [step.name for step in steps()]
    mine = names.index("moothall.moderation.demo_data.demo_moderation")
    assert mine > names.index("moothall.ideas.demo_data.ideas")
    assert mine > names.index("moothall.accounts.demo_data.demo_accounts")
