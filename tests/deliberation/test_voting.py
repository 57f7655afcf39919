"""Voting: agree / disagree / pass, the last vote counts, one row per participant and
statement, also under real concurrency (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.deliberation import domain
from moothall.deliberation.models import Participant, Statement, Vote
from tests import factories
from tests.deliberation.d1_scene import conversation, person


def first_statement(made):
    return Statement.objects.get(conversation=made, number=0)


@pytest.mark.django_db
def test_the_last_vote_counts(council, resident):
    made = conversation(council)
    me = domain.join(made, user=resident)
    statement = first_statement(made)

    domain.cast_vote(me, statement, "agree")
    domain.cast_vote(me, statement, -1)
    domain.cast_vote(me, statement, "pass")

    assert list(Vote.objects.values_list("participant", "statement", "value")) == [
        (me.pk, statement.pk, 0)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [2, -2, "maybe", None, True, "", 1.5, "1.0", "--1"])
def test_a_vote_that_is_not_agree_disagree_or_pass_is_refused(council, resident, bad):
    made = conversation(council)
    me = domain.join(made, user=resident)

    with pytest.raises(ValidationError) as refused:
        domain.cast_vote(me, first_statement(made), bad)

    assert refused.value.error_dict["value"][0].code == "invalid_vote"
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_no_votes_on_pending_or_removed_statements(council, resident, moderator):
    made = conversation(council, moderation="pre")
    me = domain.join(made, user=resident)
    other = domain.join(made, user=person("o@example.org"))
    pending = domain.add_statement(made, text="Build a lido", author=other)
    removed = first_statement(made)
    domain.moderate_statement(removed, by=moderator, accept=False, reason="Off topic")

    for statement in (pending, removed):
        with pytest.raises(ValidationError) as refused:
            domain.cast_vote(me, statement, 1)
        assert refused.value.error_dict["statement"][0].code == "statement_not_shown"
    assert not Vote.objects.filter(participant=me).exists()


@pytest.mark.django_db
def test_no_votes_once_the_conversation_has_closed(council, resident):
    made = conversation(council)
    me = domain.join(made, user=resident)
    domain.close_conversation(made, by=None)

    with pytest.raises(domain.StepRefused) as refused:
        domain.cast_vote(me, first_statement(made), 1)

    assert "closed" in refused.value.message
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_a_vote_on_another_conversations_statement_is_refused(council, resident):
    made = conversation(council, title="One")
    other = conversation(council, title="Two")
    me = domain.join(made, user=resident)

    with pytest.raises(ValidationError):
        domain.cast_vote(me, first_statement(other), 1)


# --- Under real concurrency (PostgreSQL) -------------------------------------------

WORKERS = 16


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` on WORKERS threads, released together; return results or exceptions."""
    gate = threading.Barrier(min(WORKERS, len(calls)))

    def run(call: Callable[[], object], n: int) -> object:
        try:
            if n < WORKERS:
                gate.wait(timeout=30)
            return call()
        except Exception as error:  # reported to the test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, calls, range(len(calls))))


concurrent = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


@concurrent[0]
@concurrent[1]
def test_one_participant_voting_from_many_tabs_at_once_has_one_vote_per_statement(
    council, resident
):
    made = conversation(council)
    me = domain.join(made, user=resident)
    statements = list(Statement.objects.filter(conversation=made))
    calls = [
        lambda s=statement, v=value: domain.cast_vote(me, s, v)
        for _round in range(4)
        for statement in statements
        for value in (1, -1, 0)
    ]

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    rows = list(Vote.objects.filter(participant=me).values_list("statement", "value"))
    assert sorted(s for s, _v in rows) == sorted(s.pk for s in statements)
    assert {v for _s, v in rows} <= {1, -1, 0}


@concurrent[0]
@concurrent[1]
def test_many_people_joining_at_once_get_distinct_numbers_from_zero(council):
    made = conversation(council)
    people = [person(f"p{n}@example.org") for n in range(40)]
    calls = [lambda u=user: domain.join(made, user=u) for user in people]
    calls += [lambda u=user: domain.join(made, user=u) for user in people[:10]]  # twice

    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(Participant.objects.filter(conversation=made).values_list("number", flat=True))
    assert numbers == list(range(40))


@concurrent[0]
@concurrent[1]
def test_statements_written_at_once_get_distinct_numbers_and_no_duplicates(council):
    made = conversation(council, moderation="post")
    authors = [domain.join(made, user=person(f"w{n}@example.org")) for n in range(12)]
    calls = [
        lambda a=author, n=n: domain.add_statement(made, text=f"Statement {n % 6}", author=a)
        for n, author in enumerate(authors)
    ]

    results = run_at_once(calls)

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 6, results  # each text once
    assert not [r for r in results if isinstance(r, Exception) and r not in refused]
    numbers = sorted(Statement.objects.filter(conversation=made).values_list("number", flat=True))
    assert numbers == list(range(3 + 6))


@concurrent[0]
@concurrent[1]
def test_votes_do_not_wait_for_one_another_while_closing_waits_for_them(council):
    made = conversation(council)
    voters = [domain.join(made, user=person(f"v{n}@example.org")) for n in range(30)]
    statement = first_statement(made)
    calls: list[Callable[[], object]] = [
        lambda p=voter: domain.cast_vote(p, statement, 1) for voter in voters
    ]
    calls.insert(15, lambda: domain.close_conversation(made, by=None))

    results = run_at_once(calls)

    accepted = [r for r in results if isinstance(r, Vote)]
    refused = [r for r in results if isinstance(r, domain.StepRefused)]
    assert len(accepted) + len(refused) == 30
    assert Vote.objects.filter(statement=statement).count() == len(accepted)


@pytest.mark.django_db
def test_several_votes_at_once_are_all_recorded_or_none(council, resident, moderator):
    made = conversation(council)
    me = domain.join(made, user=resident)
    first, second, third = Statement.objects.filter(conversation=made).order_by("number")

    assert domain.cast_votes(me, {first.pk: 1, second.pk: "disagree"}) == 2
    domain.moderate_statement(third, by=moderator, accept=False, reason="Off topic")
    with pytest.raises(ValidationError):
        domain.cast_votes(me, {first.pk: -1, third.pk: 1})

    assert dict(Vote.objects.values_list("statement", "value")) == {first.pk: 1, second.pk: -1}


# --- Eligibility is asked at every vote, not only on joining -----------------------------


@pytest.mark.django_db
def test_raising_the_level_after_joining_refuses_the_next_vote(council, resident):
    made = conversation(council)  # email verified is enough
    me = domain.join(made, user=resident)
    domain.cast_vote(me, first_statement(made), 1)
    domain.update_conversation(made, by=None, participate_level=Eligibility.VERIFIED_RESIDENT)
    second = Statement.objects.get(conversation=made, number=1)

    for attempt in (
        lambda: domain.cast_vote(me, second, 1),
        lambda: domain.cast_votes(me, {second.pk: 1}),
        lambda: domain.add_statement(made, text="A new bandstand", author=me),
    ):
        with pytest.raises(domain.StepRefused) as refused:
            attempt()
        assert refused.value.message == (
            "Only verified residents can take part. Ask the council to verify you."
        )
    assert list(Vote.objects.values_list("statement", flat=True)) == [first_statement(made).pk]
    assert Statement.objects.filter(conversation=made).count() == 3


@pytest.mark.django_db
def test_a_revoked_verification_refuses_the_next_vote(council, resident):
    made = conversation(council, participate_level=Eligibility.VERIFIED_RESIDENT)
    verification = factories.ResidentVerificationFactory(user=resident, council=council)
    me = domain.join(made, user=resident)
    domain.cast_vote(me, first_statement(made), 1)

    verification.revoked_at = timezone.now()
    verification.save()

    with pytest.raises(domain.StepRefused, match="Only verified residents"):
        domain.cast_vote(me, first_statement(made), -1)  # the same objects: nothing cached
    assert Vote.objects.get().value == 1


@pytest.mark.django_db
def test_an_anonymous_participant_is_refused_once_the_council_asks_for_sign_in(council):
    made = conversation(council, participate_level=Eligibility.NONE)
    anonymous = domain.join(made, user=None)
    domain.cast_vote(anonymous, first_statement(made), 1)
    domain.update_conversation(made, by=None, participate_level=Eligibility.EMAIL_VERIFIED)

    with pytest.raises(domain.StepRefused) as refused:
        domain.cast_vote(anonymous, first_statement(made), 0)

    assert refused.value.message == "Sign in to take part."
    assert Vote.objects.get().value == 1


@pytest.mark.django_db
def test_checking_eligibility_costs_a_vote_one_query(council, resident):
    def queries_for_a_vote(level: int, number: int) -> int:
        made = conversation(council, title=f"Level {level}", participate_level=level)
        joined = domain.join(made, user=resident)
        me = Participant.objects.get(pk=joined.pk)  # its user not loaded, as in the API
        statement = Statement.objects.get(conversation=made, number=number)
        with CaptureQueriesContext(connection) as queries:
            domain.cast_vote(me, statement, 1)
        return len(queries)

    anyone = queries_for_a_vote(Eligibility.NONE, 0)
    verified_email = queries_for_a_vote(Eligibility.EMAIL_VERIFIED, 0)

    assert verified_email == anyone + 1


# --- Signing in after taking part anonymously ------------------------------------------------


@pytest.mark.django_db
def test_signing_in_claims_the_anonymous_participant(council, resident):
    made = conversation(council, participate_level=Eligibility.NONE)
    anonymous = domain.join(made, user=None)
    domain.cast_vote(anonymous, first_statement(made), -1)

    mine = domain.claim_participant(made, user=resident, participant=anonymous)

    assert mine is not None
    assert mine.pk == anonymous.pk
    assert Participant.objects.get(pk=anonymous.pk).user == resident
    assert domain.participant_of(made, resident) == mine
    assert Vote.objects.get(participant=mine).value == -1


@pytest.mark.django_db
def test_an_account_that_already_took_part_keeps_its_own_participant(council, resident):
    made = conversation(council, participate_level=Eligibility.NONE)
    own = domain.join(made, user=resident)
    anonymous = domain.join(made, user=None)
    domain.cast_vote(anonymous, first_statement(made), 1)

    mine = domain.claim_participant(made, user=resident, participant=anonymous)

    assert mine == own
    left = Participant.objects.get(pk=anonymous.pk)
    assert left.user is None  # left as it was; its votes are not merged
    assert Vote.objects.get().participant == left


@pytest.mark.django_db
def test_a_claim_that_loses_a_race_falls_back_to_the_accounts_participant(
    council, resident, monkeypatch
):
    made = conversation(council, participate_level=Eligibility.NONE)
    first = domain.join(made, user=None)
    second = domain.join(made, user=None)
    domain.claim_participant(made, user=resident, participant=first)
    real = domain.participant_of
    calls = []

    def not_yet(conversation, user):  # another request attaches the user in between
        calls.append(1)
        return None if len(calls) == 1 else real(conversation, user)

    monkeypatch.setattr(domain, "participant_of", not_yet)

    mine = domain.claim_participant(made, user=resident, participant=second)

    assert mine == first
    assert Participant.objects.get(pk=second.pk).user is None


@pytest.mark.django_db
def test_only_an_anonymous_participant_of_this_conversation_is_claimed(council, resident):
    made = conversation(council, participate_level=Eligibility.NONE)
    elsewhere = conversation(council, title="Elsewhere", participate_level=Eligibility.NONE)
    foreign = domain.join(elsewhere, user=None)
    someone = domain.join(made, user=person("s@example.org"))

    assert domain.claim_participant(made, user=resident, participant=foreign) is None
    assert domain.claim_participant(made, user=resident, participant=someone) is None
    assert domain.claim_participant(made, user=resident, participant=None) is None
    assert Participant.objects.get(pk=foreign.pk).user is None
    assert Participant.objects.get(pk=someone.pk).user.email == "s@example.org"
