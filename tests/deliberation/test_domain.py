"""The deliberation verbs: conversations' lifecycle, joining, and writing statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.accounts.residents import Eligibility
from moothall.core.models import AuditEntry
from moothall.deliberation import domain
from moothall.deliberation.models import Conversation, Participant, Statement, Vote
from tests import factories
from tests.deliberation.d1_scene import conversation, person

pytestmark = pytest.mark.django_db


def test_an_officer_creates_a_draft_conversation_with_a_slug_from_its_title(council, officer):
    made = domain.create_conversation(
        council, by=officer, title="Parks: what next?", mode="polis", moderation="post"
    )

    assert (made.status, made.slug, made.mode, made.moderation) == (
        "draft",
        "parks-what-next",
        "polis",
        "post",
    )
    assert made.created_by == officer
    assert AuditEntry.objects.filter(action="deliberation.conversation_created").count() == 1


def test_a_second_conversation_with_the_same_title_gets_its_own_slug(council):
    domain.create_conversation(council, by=None, title="Parks")
    second = domain.create_conversation(council, by=None, title="Parks")

    assert second.slug == "parks-2"


def test_a_slug_already_used_is_refused(council):
    domain.create_conversation(council, by=None, title="Parks")

    with pytest.raises(ValidationError) as refused:
        domain.create_conversation(council, by=None, title="Other", slug="parks")

    assert refused.value.error_dict["slug"][0].code == "slug_taken"


@pytest.mark.parametrize("word", ["new", "import"])
def test_the_back_offices_own_addresses_are_never_slugs(council, word):
    made = domain.create_conversation(council, by=None, title=word.title())
    assert made.slug == f"{word}-conversation"

    with pytest.raises(ValidationError) as refused:
        domain.create_conversation(council, by=None, title="Other", slug=word)

    assert refused.value.error_dict["slug"][0].code == "slug_reserved"


def test_a_resident_cannot_create_a_conversation(council, resident):
    with pytest.raises(domain.StepRefused):
        domain.create_conversation(council, by=resident, title="Mine")
    assert not Conversation.objects.exists()


def test_bad_settings_are_refused_by_field(council):
    with pytest.raises(ValidationError) as refused:
        domain.create_conversation(council, by=None, title="X", mode="telepathy")
    assert "mode" in refused.value.error_dict

    opens = timezone.now()
    with pytest.raises(ValidationError) as refused:
        domain.create_conversation(
            council, by=None, title="X", opens_at=opens, closes_at=opens - dt.timedelta(days=1)
        )
    assert refused.value.error_dict["closes_at"][0].code == "closes_before_opens"


def test_open_and_close_are_audited_and_closing_twice_is_refused(council, officer):
    made = domain.create_conversation(council, by=officer, title="Parks")
    domain.open_conversation(made, by=officer)
    domain.close_conversation(made, by=officer)

    with pytest.raises(ValidationError):
        domain.close_conversation(made, by=officer)
    made.refresh_from_db()
    assert made.status == "closed"
    assert made.closed_at is not None
    assert made.opened_at is not None
    actions = list(
        AuditEntry.objects.filter(action__startswith="deliberation.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "deliberation.conversation_closed",
        "deliberation.conversation_created",
        "deliberation.conversation_opened",
    ]


def test_the_web_address_is_fixed_once_published(council):
    made = conversation(council)

    with pytest.raises(ValidationError):
        domain.update_conversation(made, by=None, slug="elsewhere")
    domain.update_conversation(made, by=None, slug=made.slug, title="Parks, again")
    made.refresh_from_db()
    assert made.title == "Parks, again"


def test_people_join_with_numbers_in_order_and_joining_again_changes_nothing(council):
    made = conversation(council)
    first, second = person("a@example.org"), person("b@example.org")

    a = domain.join(made, user=first)
    b = domain.join(made, user=second)
    again = domain.join(made, user=first)

    assert (a.number, b.number, again.pk) == (0, 1, a.pk)
    assert Participant.objects.filter(conversation=made).count() == 2


def test_nobody_joins_a_draft_or_closed_conversation(council, resident):
    for status in ("draft", "closed"):
        made = conversation(council, status=status, title=status)
        with pytest.raises(domain.StepRefused):
            domain.join(made, user=resident)
    assert not Participant.objects.exists()


def test_nobody_joins_before_the_opening_date(council, resident):
    made = conversation(council, opens_at=timezone.now() + dt.timedelta(days=2))

    with pytest.raises(domain.StepRefused) as refused:
        domain.join(made, user=resident)

    assert "opens on" in refused.value.message


def test_anonymous_people_join_only_where_anyone_may_take_part(council):
    strict = conversation(council, title="Strict")
    anyone = conversation(council, title="Anyone", participate_level=Eligibility.NONE)

    with pytest.raises(domain.StepRefused):
        domain.join(strict, user=None)
    joined = domain.join(anyone, user=None)

    assert joined.user is None
    assert joined.number == 0


def test_a_verified_residents_only_conversation_refuses_an_unverified_person(council, resident):
    made = conversation(council, participate_level=Eligibility.VERIFIED_RESIDENT)

    with pytest.raises(domain.StepRefused) as refused:
        domain.join(made, user=resident)

    assert "verified residents" in refused.value.message


def test_about_you_takes_only_the_councils_wards_and_known_bands(council, other_council, resident):
    made = conversation(council)
    ward = factories.WardFactory(council=council, name="Hill")
    foreign = factories.WardFactory(council=other_council, name="Away")

    joined = domain.join(
        made, user=resident, ward=ward.pk, age_band="25_34", sex="prefer_not_to_say"
    )
    assert (joined.ward, joined.age_band, joined.sex) == (ward, "25_34", "prefer_not_to_say")

    for bad in ({"ward": foreign.pk}, {"age_band": "ancient"}, {"sex": "x"}, {"ward": "zz"}):
        with pytest.raises(ValidationError):
            domain.set_about_you(joined, **bad)  # type: ignore[arg-type]
    domain.set_about_you(joined)
    joined.refresh_from_db()
    assert (joined.ward, joined.age_band, joined.sex) == (None, "", "")


def test_imported_participants_join_a_closed_conversation(council):
    made = conversation(council, status="closed")

    joined = domain.join(made, external_id="xid-7", imported=True)

    assert (joined.number, joined.external_id) == (0, "xid-7")


# --- Statements ----------------------------------------------------------------------


def test_a_participants_statement_waits_for_a_moderator_under_pre_moderation(council, resident):
    made = conversation(council, moderation="pre")
    author = domain.join(made, user=resident)

    written = domain.add_statement(made, text="  Plant more   trees\nin the square ", author=author)

    assert (written.state, written.number, written.text) == (
        "pending",
        3,
        "Plant more trees in the square",
    )
    # Polis counts the author as agreeing with their own statement.
    assert list(Vote.objects.filter(statement=written).values_list("participant", "value")) == [
        (author.pk, 1)
    ]


def test_a_participants_statement_is_shown_at_once_under_post_moderation(council, resident):
    made = conversation(council, moderation="post")
    author = domain.join(made, user=resident)

    written = domain.add_statement(made, text="Plant more trees", author=author)

    assert written.state == "accepted"


def test_markdown_and_html_are_kept_as_plain_text(council, resident):
    made = conversation(council, moderation="post")
    author = domain.join(made, user=resident)

    written = domain.add_statement(made, text="**Bold** <b>claim</b>", author=author)

    assert written.text == "**Bold** <b>claim</b>"


def test_statements_over_the_length_limit_are_refused(council, resident):
    made = conversation(council, statement_max_length=40)
    author = domain.join(made, user=resident)

    with pytest.raises(ValidationError) as refused:
        domain.add_statement(made, text="x" * 41, author=author)

    assert refused.value.error_dict["text"][0].code == "too_long"
    domain.add_statement(made, text="y" * 40, author=author)


def test_duplicates_are_refused_whatever_their_case_spacing_and_punctuation(council, resident):
    made = conversation(council)
    author = domain.join(made, user=resident)

    with pytest.raises(ValidationError) as refused:
        domain.add_statement(made, text="more BENCHES in parks!", author=author)

    assert refused.value.error_dict["text"][0].code == "duplicate_statement"
    assert Statement.objects.filter(conversation=made).count() == 3


def test_a_participant_writes_at_most_ten_statements_an_hour(council, resident):
    made = conversation(council, moderation="post")
    author = domain.join(made, user=resident)
    for n in range(domain.STATEMENTS_PER_HOUR):
        domain.add_statement(made, text=f"Idea number {n}", author=author)

    with pytest.raises(ValidationError) as refused:
        domain.add_statement(made, text="One more idea", author=author)

    assert refused.value.error_dict["text"][0].code == "statement_limit"


def test_no_statements_from_participants_when_the_council_turned_them_off(council, resident):
    made = conversation(council, allow_statements=False)
    author = domain.join(made, user=resident)

    with pytest.raises(domain.StepRefused):
        domain.add_statement(made, text="Mine", author=author)


def test_staff_seed_statements_are_shown_at_once_and_audited(council, officer, resident):
    made = conversation(council, status="draft")

    seed = domain.add_statement(made, text="Fewer cars in the centre", by=officer)

    assert (seed.state, seed.is_seed, seed.moderated_by) == ("accepted", True, officer)
    assert (
        AuditEntry.objects.filter(action="deliberation.statement_added", actor=officer).count() == 1
    )
    with pytest.raises(domain.StepRefused):
        domain.add_statement(made, text="Something else", by=resident)


def test_no_seed_statements_once_closed(council, officer):
    made = conversation(council, status="closed")

    with pytest.raises(domain.StepRefused):
        domain.add_statement(made, text="Too late", by=officer)


def test_imported_statements_keep_their_state_and_time(council):
    made = conversation(council, status="closed")
    when = timezone.now() - dt.timedelta(days=400)

    old = domain.add_statement(made, text="x", imported=True, state="rejected", created_at=when)

    assert (old.number, old.state, old.created_at) == (3, "rejected", when)


def test_next_statement_is_the_oldest_unvoted_before_any_analysis(council, resident):
    made = conversation(council)
    me = domain.join(made, user=resident)
    first = Statement.objects.get(conversation=made, number=0)

    assert domain.next_statement(me) == first
    domain.cast_vote(me, first, 1)
    assert domain.next_statement(me).number == 1  # type: ignore[union-attr]
    for s in Statement.objects.filter(conversation=made, number__gt=0):
        domain.cast_vote(me, s, 0)
    assert domain.next_statement(me) is None
    assert domain.progress(me, made) == (3, 3)


# --- Whatever is typed ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_typed_statement_is_refused_in_words_or_kept_as_one_tidy_line(typed):
    refused = ""
    try:
        kept = domain._statement_text(typed, 280)
    except ValidationError as error:
        refused = error.error_dict["text"][0].code
    if refused:
        assert refused in {"required", "too_short", "too_long", "bad_characters"}
    else:
        assert kept == " ".join(kept.split())
        assert domain.MIN_STATEMENT_LENGTH <= len(kept) <= 280
        assert domain.normalised(kept) == domain.normalised(domain.normalised(kept))
