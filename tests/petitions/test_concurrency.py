"""Signing, confirming and withdrawing at the same moment, from many connections at once.

PostgreSQL only: SQLite lets one writer in at a time, so nothing here could race there.
Each thread has its own database connection (closed when it finishes); threads are
released together by a barrier so that their transactions overlap.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from moothall.petitions import domain
from moothall.petitions.models import Obligation, Petition, PetitionScheme, Signature
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = 200
# At most this many connections at once: the server allows 100, shared with the rest of
# the suite (and other test runs). 200 calls still overlap 32 at a time.
THREADS = 32


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL: SQLite serialises every writer")


def run_together(calls: Sequence[Callable[[], Any]], threads: int = THREADS) -> list[Any]:
    """Run every call on ``threads`` threads released at once; return each call's result
    or the exception it raised, in order."""
    results: list[Any] = [None] * len(calls)
    pending = list(enumerate(calls))
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            start.wait()
            while True:
                with lock:
                    if not pending:
                        return
                    i, call = pending.pop()
                try:
                    results[i] = call()
                except Exception as exc:  # kept for the test to look at
                    results[i] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def failures(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


@pytest.fixture
def petition(council, resident) -> Petition:
    council.gss_code = "E10000099"
    council.save()
    factories.WardFactory(council=council, name="North", gss_code="E05000001")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    PetitionScheme.objects.create(
        council=council,
        sponsors_required=0,
        pre_moderation=False,
        response_threshold=50,
        hearing_threshold=100,
        debate_threshold=150,
    )
    petition = domain.start_petition(
        resident, council, title="Save the library", action="Keep it open."
    )
    return domain.submit_petition(resident, petition)


def sign(petition: Petition, email: str, *, wants_updates: bool = True) -> Signature:
    return domain.sign_petition(
        petition,
        name="Sam Signer",
        email=email,
        postcode="MH1 1AA",
        basis="lives",
        declaration=True,
        ip_address="192.0.2.1",
        wants_updates=wants_updates,
    )


def assert_counts_agree(petition: Petition, expected: int) -> None:
    """The live tally, the signatures themselves and an exact recount all say ``expected``."""
    confirmed = Signature.objects.filter(petition=petition, status="confirmed").count()
    assert confirmed == expected
    assert domain.live_count(petition) == expected
    assert domain.recount_petition(petition.pk) == expected
    assert domain.live_count(petition) == expected


def test_two_hundred_simultaneous_signings_with_one_email_leave_one_signature(petition):
    # The same person, written several ways that all reduce to one address.
    forms = ["sam@example.org", "Sam@Example.org", "sam+petition@example.org", " SAM@example.ORG "]
    emails = [forms[i % len(forms)] for i in range(CALLS)]
    calls = [partial(sign, petition, email) for email in emails]

    results = run_together(calls)

    assert failures(results) == []
    signature = Signature.objects.get(petition=petition)
    assert signature.email_key == "sam@example.org"
    assert {r.pk for r in results} == {signature.pk}
    assert signature.status == Signature.Status.PENDING
    assert domain.live_count(petition) == 0


def test_two_hundred_simultaneous_confirmations_count_two_hundred(petition):
    # No updates wanted: the race is about the count, not the emails each threshold sends.
    signatures = [
        sign(petition, f"signer{n}@example.org", wants_updates=False) for n in range(CALLS)
    ]
    calls = [partial(domain.confirm_signature, s.token) for s in signatures]

    results = run_together(calls)

    assert failures(results) == []
    assert_counts_agree(petition, CALLS)
    # Each threshold crossed mid-race makes its obligation exactly once.
    kinds = Counter(Obligation.objects.filter(petition=petition).values_list("kind", flat=True))
    assert kinds == {"respond": 1, "hear": 1, "debate": 1}


def test_one_link_followed_many_times_at_once_counts_once(petition):
    signature = sign(petition, "sam@example.org")

    results = run_together([partial(domain.confirm_signature, signature.token)] * 50)

    assert failures(results) == []
    assert_counts_agree(petition, 1)


def test_withdrawing_while_confirming_leaves_a_count_that_agrees_with_the_signatures(petition):
    signatures = [sign(petition, f"signer{n}@example.org") for n in range(100)]
    # Some already count before the race: withdrawing those must take one off.
    for signature in signatures[:50]:
        domain.confirm_signature(signature.token)
    calls: list[Callable[[], Any]] = []
    for signature in signatures:
        calls.append(partial(domain.confirm_signature, signature.token))
        calls.append(partial(domain.withdraw_signature, signature.token))
    random.Random(4).shuffle(calls)

    results = run_together(calls)

    assert failures(results) == []
    statuses = Counter(Signature.objects.filter(petition=petition).values_list("status", flat=True))
    assert sum(statuses.values()) == 100
    assert set(statuses) <= {"confirmed", "withdrawn"}
    assert_counts_agree(petition, statuses["confirmed"])


def test_signing_one_petition_from_many_addresses_at_once_loses_no_signature(petition):
    calls = [partial(sign, petition, f"signer{n}@example.org") for n in range(CALLS)]

    results = run_together(calls)

    assert failures(results) == []
    per_person = (
        Signature.objects.filter(petition=petition)
        .values("email_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not per_person.exists()
    assert Signature.objects.filter(petition=petition).count() == CALLS
