"""The deliberation pages: taking part without JavaScript (and with HTMX), adding a
statement, about you, changing votes, and the staff's set-up and moderation queue."""

from __future__ import annotations

import pytest

from moothall.accounts.residents import Eligibility
from moothall.core.models import AuditEntry
from moothall.deliberation import domain
from moothall.deliberation.models import Analysis, Conversation, Participant, Statement, Vote
from tests import factories
from tests.deliberation.d1_scene import conversation
from tests.staff.html import h1, text

pytestmark = pytest.mark.django_db

PAGE = "/mootshire/deliberations/our-parks/"


@pytest.fixture
def parks(council):
    return conversation(council)


def card(response) -> str:
    page = response.content.decode()
    start = page.index('id="voting-card"')
    return text(page[start : page.index("</main>")])


def statement(made, number: int) -> Statement:
    return Statement.objects.get(conversation=made, number=number)


# --- Taking part ---------------------------------------------------------------------------


def test_the_list_shows_open_and_closed_conversations_but_not_drafts(client, council):
    conversation(council, title="Our parks")
    conversation(council, status="closed", title="Old buses")
    conversation(council, status="draft", title="Secret plans")

    page = client.get("/mootshire/deliberations/")

    body = text(page.content.decode())
    assert page.status_code == 200
    assert "Our parks" in body
    assert "Old buses" in body
    assert "Secret plans" not in body


def test_a_draft_is_not_found_by_the_public_but_shown_to_staff(client, council, officer):
    conversation(council, status="draft", title="Our parks")

    assert client.get(PAGE).status_code == 404
    client.force_login(officer)
    assert client.get(PAGE).status_code == 200


def test_a_signed_out_visitor_sees_the_first_statement_and_a_sign_in_link(client, parks):
    page = client.get(PAGE)

    assert page.status_code == 200
    assert h1(page) == "Our parks"
    assert "Sign in to take part." in card(page)
    assert (
        "/accounts/login/?next=%2Fmootshire%2Fdeliberations%2Four-parks%2F" in page.content.decode()
    )


def test_voting_without_javascript_one_statement_at_a_time(client, parks, resident):
    client.force_login(resident)
    page = client.get(PAGE)
    assert "More benches in parks" in card(page)
    assert "You have voted on 0 of 3 statements." in card(page)

    after = client.post(
        PAGE + "vote/", {"statement": statement(parks, 0).pk, "value": "1"}, follow=True
    )

    assert after.redirect_chain == [(PAGE + "#voting-card", 302)]
    shown = card(after)
    assert "Saved: you agreed with statement 0." in shown
    assert "Longer opening hours" in shown
    assert "You have voted on 1 of 3 statements." in shown
    me = Participant.objects.get(user=resident)
    assert list(Vote.objects.filter(participant=me).values_list("value", flat=True)) == [1]


def test_the_last_statement_voted_says_thank_you(client, parks, resident):
    client.force_login(resident)
    for number, value in ((0, "1"), (1, "-1"), (2, "0")):
        client.post(PAGE + "vote/", {"statement": statement(parks, number).pk, "value": value})

    shown = card(client.get(PAGE))

    assert "You have voted on every statement" in shown
    assert "You have voted on 3 of 3 statements." in shown


def test_with_htmx_the_next_card_comes_back_in_place(client, parks, resident):
    client.force_login(resident)

    swapped = client.post(
        PAGE + "vote/",
        {"statement": statement(parks, 0).pk, "value": "-1"},
        headers={"HX-Request": "true"},
    )

    body = swapped.content.decode()
    assert swapped.status_code == 200
    assert "<html" not in body
    assert "Saved: you disagreed with statement 0." in text(body)
    assert "Longer opening hours" in text(body)
    assert " autofocus" in body


def test_changing_a_vote_from_the_list_of_ones_votes(client, parks, resident):
    client.force_login(resident)
    first = statement(parks, 0)
    client.post(PAGE + "vote/", {"statement": first.pk, "value": "1"})

    listed = client.get(PAGE + "your-votes/")
    assert "Your vote: Agree" in text(listed.content.decode())
    changed = client.post(
        PAGE + "vote/", {"statement": first.pk, "value": "0", "next": "votes"}, follow=True
    )

    assert changed.redirect_chain == [(PAGE + "your-votes/", 302)]
    assert "Your vote: Pass or unsure" in text(changed.content.decode())
    assert Vote.objects.get(statement=first).value == 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"statement": "x", "value": "1"},
        {"statement": "99999999999999999999", "value": "1"},
        {"statement": "1", "value": "maybe"},
        {"statement": "-4", "value": "1"},
        {"value": "1"},
    ],
)
def test_a_bad_vote_gets_a_message_not_an_error_page(client, parks, resident, data):
    client.force_login(resident)

    after = client.post(PAGE + "vote/", data, follow=True)

    assert after.status_code == 200
    assert "Choose" in text(after.content.decode()) or "not in this conversation" in text(
        after.content.decode()
    )
    assert not Vote.objects.exists()


def test_a_vote_on_another_conversations_statement_is_refused(client, council, parks, resident):
    other = conversation(council, title="Buses")
    client.force_login(resident)

    after = client.post(
        PAGE + "vote/", {"statement": statement(other, 0).pk, "value": "1"}, follow=True
    )

    assert "That statement is not in this conversation." in text(after.content.decode())
    assert not Vote.objects.exists()


def test_a_vote_on_a_pending_statement_is_refused_with_a_message(client, parks, resident):
    client.force_login(resident)
    author = domain.join(parks, user=factories.UserFactory(email="w@example.org"))
    waiting = domain.add_statement(parks, text="A lido please", author=author)

    after = client.post(PAGE + "vote/", {"statement": waiting.pk, "value": "1"}, follow=True)

    assert "That statement is not open for votes." in text(after.content.decode())


def test_signed_out_votes_go_to_sign_in(client, parks):
    after = client.post(PAGE + "vote/", {"statement": statement(parks, 0).pk, "value": "1"})

    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/?next=")
    assert not Vote.objects.exists()


def test_a_closed_conversation_says_so_and_takes_no_votes(client, council, resident):
    made = conversation(council, status="closed")
    client.force_login(resident)

    page = client.get(PAGE)
    after = client.post(
        PAGE + "vote/", {"statement": statement(made, 0).pk, "value": "1"}, follow=True
    )

    assert "has closed" in card(page)
    assert "has closed" in text(after.content.decode())
    assert not Vote.objects.exists()


def test_not_eligible_says_what_to_do(client, council, resident):
    conversation(council, participate_level=Eligibility.VERIFIED_RESIDENT)
    client.force_login(resident)

    shown = card(client.get(PAGE))

    assert "Only verified residents can take part." in shown
    assert "Go to your account" in shown


def test_anyone_may_vote_signed_out_where_the_council_allows_it(client, council):
    made = conversation(council, participate_level=Eligibility.NONE)

    client.post(PAGE + "vote/", {"statement": statement(made, 0).pk, "value": "1"})
    client.post(PAGE + "vote/", {"statement": statement(made, 1).pk, "value": "-1"})

    me = Participant.objects.get()
    assert me.user is None
    assert Vote.objects.filter(participant=me).count() == 2
    assert "You have voted on 2 of 3 statements." in card(client.get(PAGE))


def test_a_vote_after_the_council_raised_the_level_says_why_it_was_refused(client, parks, resident):
    client.force_login(resident)
    client.post(PAGE + "vote/", {"statement": statement(parks, 0).pk, "value": "1"})
    domain.update_conversation(parks, by=None, participate_level=Eligibility.VERIFIED_RESIDENT)

    refused = client.post(
        PAGE + "vote/", {"statement": statement(parks, 1).pk, "value": "1"}, follow=True
    )
    htmx = client.post(
        PAGE + "vote/", {"statement": statement(parks, 2).pk, "value": "-1"}, HTTP_HX_REQUEST="true"
    )

    assert refused.status_code == 200
    assert "Only verified residents can take part." in text(refused.content.decode())
    assert htmx.status_code == 200
    assert "Only verified residents can take part." in text(htmx.content.decode())
    assert Vote.objects.count() == 1


def test_signing_in_after_voting_anonymously_keeps_the_votes(client, council, resident):
    made = conversation(council, participate_level=Eligibility.NONE)
    client.post(PAGE + "vote/", {"statement": statement(made, 0).pk, "value": "1"})
    client.post(PAGE + "vote/", {"statement": statement(made, 1).pk, "value": "-1"})

    client.force_login(resident)
    shown = card(client.get(PAGE))

    me = Participant.objects.get()
    assert me.user == resident
    assert "You have voted on 2 of 3 statements." in shown
    client.post(PAGE + "vote/", {"statement": statement(made, 2).pk, "value": "0"})
    assert Vote.objects.filter(participant=me).count() == 3
    assert Participant.objects.count() == 1


def test_signing_in_to_an_account_that_took_part_keeps_the_accounts_votes(
    client, council, resident
):
    made = conversation(council, participate_level=Eligibility.NONE)
    own = domain.join(made, user=resident)
    domain.cast_vote(own, statement(made, 0), 1)
    client.post(PAGE + "vote/", {"statement": statement(made, 1).pk, "value": "-1"})
    client.post(PAGE + "vote/", {"statement": statement(made, 2).pk, "value": "-1"})

    client.force_login(resident)
    shown = card(client.get(PAGE))

    assert "You have voted on 1 of 3 statements." in shown
    anonymous = Participant.objects.get(user__isnull=True)
    assert anonymous.votes.count() == 2  # not merged
    assert "You have voted on 1 of 3 statements." in card(client.get(PAGE))
    assert Participant.objects.count() == 2


# --- Statements and about you ----------------------------------------------------------------


def test_adding_a_statement_under_pre_moderation(client, parks, resident):
    client.force_login(resident)
    assert "A moderator checks each new statement" in text(client.get(PAGE).content.decode())

    after = client.post(PAGE + "statements/new/", {"text": "Plant more trees"}, follow=True)

    assert "will be shown once a moderator has checked it" in text(after.content.decode())
    written = Statement.objects.get(text="Plant more trees")
    assert (written.state, written.author.user) == ("pending", resident)


def test_a_statement_too_long_or_duplicated_comes_back_with_the_error(client, council, resident):
    conversation(council, statement_max_length=30)
    client.force_login(resident)

    too_long = client.post(PAGE + "statements/new/", {"text": "x" * 31})
    duplicate = client.post(PAGE + "statements/new/", {"text": "more benches in parks"})

    assert too_long.status_code == 200
    assert "Use 30 characters or fewer (you used 31)." in text(too_long.content.decode())
    assert "There is a problem" in text(too_long.content.decode())
    assert "This statement is already in the conversation." in text(duplicate.content.decode())
    assert Statement.objects.count() == 3


def test_markup_in_a_statement_is_shown_as_typed(client, council, resident):
    made = conversation(council, moderation="post")
    client.force_login(resident)
    client.post(PAGE + "statements/new/", {"text": "<script>alert(1)</script> **bold**"})
    for number in range(3):
        client.post(PAGE + "vote/", {"statement": statement(made, number).pk, "value": "0"})
    Vote.objects.filter(statement__number=3).delete()  # so the card shows it

    body = client.get(PAGE).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in body
    assert "<script>alert" not in body


def test_about_you_answers_are_saved_and_optional(client, council, parks, resident):
    ward = factories.WardFactory(council=council, name="Hill")
    client.force_login(resident)

    page = client.get(PAGE + "about-you/")
    assert page.status_code == 200
    assert "Prefer not to say" in text(page.content.decode())
    client.post(PAGE + "about-you/", {"ward": str(ward.pk), "age_band": "35_44", "sex": ""})

    me = Participant.objects.get(user=resident)
    assert (me.ward, me.age_band, me.sex) == (ward, "35_44", "")
    bad = client.post(PAGE + "about-you/", {"ward": "nonsense", "age_band": "old"})
    assert "Choose a ward from the list." in text(bad.content.decode())
    assert "Choose an age band from the list." in text(bad.content.decode())


def test_no_about_you_when_the_council_does_not_ask(client, council, resident):
    conversation(council, ask_about_you=False)
    client.force_login(resident)

    assert client.get(PAGE + "about-you/").status_code == 404


# --- Staff ---------------------------------------------------------------------------------------

STAFF = "/mootshire/staff/deliberations/"


def test_an_officer_creates_seeds_and_opens_a_conversation(client, council, officer):
    client.force_login(officer)
    form = {
        "title": "Our parks",
        "summary": "",
        "description": "",
        "mode": "improved",
        "moderation": "pre",
        "allow_statements": "on",
        "statement_max_length": "140",
        "participate_level": "1",
        "ask_about_you": "on",
        "opens_date": "",
        "opens_time": "",
        "closes_date": "",
        "closes_time": "",
    }
    created = client.post(STAFF + "new/", form)
    made = Conversation.objects.get()
    assert created["Location"] == f"{STAFF}{made.pk}/statements/"
    assert made.statement_max_length == 140

    client.post(f"{STAFF}{made.pk}/statements/", {"text": "More benches"})
    client.post(f"{STAFF}{made.pk}/status/")

    made.refresh_from_db()
    assert made.status == "open"
    assert list(made.statements.values_list("text", "is_seed")) == [("More benches", True)]


def test_bad_settings_come_back_with_errors(client, council, officer):
    client.force_login(officer)

    page = client.post(
        STAFF + "new/",
        {"title": "", "mode": "telepathy", "statement_max_length": "x", "closes_time": "25:00"},
    )

    body = text(page.content.decode())
    assert page.status_code == 200
    assert "Enter a title." in body
    assert "Choose how opinion groups are found." in body
    assert "Enter a real time, for example 18:30." in body
    assert not Conversation.objects.exists()


def test_the_moderation_queue_accepts_and_rejects_with_a_reason(client, parks, moderator):
    author = domain.join(parks, user=factories.UserFactory(email="w@example.org"))
    good = domain.add_statement(parks, text="A lido please", author=author)
    bad = domain.add_statement(parks, text="Buy my stuff", author=author)
    client.force_login(moderator)
    queue = f"{STAFF}{parks.pk}/moderation/"

    assert "2 statements waiting" in text(client.get(queue).content.decode())
    client.post(f"{STAFF}{parks.pk}/statements/{good.pk}/moderate/", {"decision": "accept"})
    no_reason = client.post(
        f"{STAFF}{parks.pk}/statements/{bad.pk}/moderate/", {"decision": "reject", "reason": ""}
    )
    assert "Enter a reason." in text(no_reason.content.decode())
    client.post(
        f"{STAFF}{parks.pk}/statements/{bad.pk}/moderate/",
        {"decision": "reject", "reason": "Advertising"},
    )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.state, bad.state, bad.reject_reason) == ("accepted", "rejected", "Advertising")
    assert "No statements are waiting." in text(client.get(queue).content.decode())


def test_a_moderator_moderates_but_cannot_change_settings(client, parks, moderator):
    client.force_login(moderator)

    assert client.get(f"{STAFF}{parks.pk}/").status_code == 200
    assert client.get(f"{STAFF}{parks.pk}/moderation/").status_code == 200
    assert client.get(f"{STAFF}{parks.pk}/edit/").status_code == 403
    assert client.post(f"{STAFF}{parks.pk}/status/").status_code == 403
    assert client.post(f"{STAFF}{parks.pk}/statements/", {"text": "Mine"}).status_code == 404
    parks.refresh_from_db()
    assert parks.status == "open"


def test_residents_and_other_councils_staff_are_kept_out(client, parks, resident, outsider):
    for person in (resident, outsider):
        client.force_login(person)
        assert client.get(STAFF).status_code == 403
        assert client.get(f"{STAFF}{parks.pk}/moderation/").status_code == 403


def test_recompute_now_stores_the_analysis_and_is_audited(client, parks, officer):
    me = domain.join(parks, user=factories.UserFactory(email="v@example.org"))
    domain.cast_vote(me, statement(parks, 0), 1)
    client.force_login(officer)

    after = client.post(f"{STAFF}{parks.pk}/recompute/", follow=True)

    assert "The analysis is up to date: 1 votes counted" in text(after.content.decode())
    assert Analysis.objects.filter(conversation=parks, mode=parks.mode).exists()
    assert AuditEntry.objects.filter(action="deliberation.analysis_recomputed").count() == 1


def test_closing_from_the_back_office(client, parks, officer):
    client.force_login(officer)

    confirm = client.get(f"{STAFF}{parks.pk}/status/")
    assert h1(confirm) == "Close the conversation?"
    client.post(f"{STAFF}{parks.pk}/status/")

    parks.refresh_from_db()
    assert parks.status == "closed"


# --- Query budgets ---------------------------------------------------------------------------


def test_the_lists_take_a_fixed_number_of_queries(
    client, council, officer, django_assert_max_num_queries
):
    for n in range(6):
        made = conversation(council, title=f"Topic {n}")
        domain.join(made, user=factories.UserFactory(email=f"p{n}@example.org"))
    domain.create_conversation(council, by=None, title="Draft with no rows")

    with django_assert_max_num_queries(3):
        listed = client.get("/mootshire/deliberations/")
    assert text(listed.content.decode()).count("1 person taking part, 3 statements") == 6
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        staff = client.get(STAFF)
    assert staff.status_code == 200
    assert "Draft with no rows" in text(staff.content.decode())


def test_the_conversation_page_takes_a_bounded_number_of_queries(
    client, parks, resident, django_assert_max_num_queries
):
    client.force_login(resident)
    client.post(PAGE + "vote/", {"statement": statement(parks, 0).pk, "value": "1"})
    domain.run_analysis(parks)

    # 22 before eligibility was remembered per request and the counts were folded together.
    with django_assert_max_num_queries(14):
        page = client.get(PAGE)
    assert "You have voted on 1 of 3 statements." in card(page)
