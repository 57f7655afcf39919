"""Arbitrary input into the verbs: accepted, or refused with ValidationError and nothing written.

Each example runs in a savepoint that is rolled back, so the daily limit and the repeat
rule never see an earlier example.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import AuditEntry
from moothall.correspondence import domain
from moothall.correspondence.models import Message, Reply, SenderBlock

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def texts(limit: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=limit + 20),
        st.text(st.sampled_from("a \x00\ud800\udfff\u200b\n"), max_size=10),
        st.sampled_from(["", " ", "\t\n", "x" * limit, "x" * (limit + 1)]),
    )


class _Undo(Exception):
    pass


@contextmanager
def isolated():
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Message, Reply, SenderBlock, AuditEntry))


def storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def fits(value: str, limit: int) -> bool:
    return 0 < len(value.strip()) <= limit and storable(value)


def fits_one_line(value: str, limit: int) -> bool:
    from moothall.core.validation import LINE_BREAKS

    return fits(value, limit) and not any(c in LINE_BREAKS for c in value.strip())


@FUZZ
@given(subject=texts(200), body=texts(5000), name=texts(200))
def test_writing_accepts_good_text_and_refuses_the_rest_cleanly(
    writer, area, cara_user, subject, body, name
):
    with isolated():
        before = counts()
        try:
            messages = domain.write_to_councillors(
                writer, area.district, [area.cara], subject=subject, body=body, name=name
            )
        except ValidationError:
            assert counts() == before
            assert not (
                fits_one_line(subject, 200) and fits(body, 5000) and fits_one_line(name, 200)
            )
        else:
            assert fits_one_line(subject, 200)
            assert fits(body, 5000)
            assert fits_one_line(name, 200)
            (message,) = messages
            assert message.subject == subject.strip()
            assert message.body == body.strip()


@FUZZ
@given(body=texts(5000), via=st.sampled_from(["web", "email", "", "fax"]), reason=texts(2000))
def test_replies_and_blocks_accept_good_input_and_refuse_the_rest_cleanly(
    writer, area, cara_user, body, via, reason
):
    with isolated():
        (message,) = domain.write_to_councillors(
            writer, area.district, [area.cara], subject="Subject", body="Original text"
        )
        before = counts()
        try:
            domain.reply_as_councillor(cara_user, message, body=body, via=via)
        except ValidationError:
            assert counts() == before
            assert not (fits(body, 5000) and via in ("web", "email"))
        else:
            assert fits(body, 5000)
            assert via in ("web", "email")
        before = counts()
        try:
            domain.block_sender(message.token, message, reason=reason)
        except ValidationError:
            assert counts() == before
            assert not storable(reason) or len(reason.strip()) > 2000
