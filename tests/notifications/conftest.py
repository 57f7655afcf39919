"""Scene for notifications: Mootshire's Planning Committee and its Ashby ward, and people
who follow them. Emails reach ``mail.outbox`` once on-commit callbacks run."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories

THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
ON_TIME = dt.datetime(2030, 3, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def body(council):
    return factories.BodyFactory(council=council, name="Planning Committee", slug="planning")


@pytest.fixture
def ward(council):
    return factories.WardFactory(council=council, name="Ashby", slug="ashby")


@pytest.fixture
def other_body(other_council):
    return factories.BodyFactory(council=other_council, name="Licensing", slug="licensing")


def person(email: str, **kwargs):
    return factories.UserFactory(email=email, **kwargs)
