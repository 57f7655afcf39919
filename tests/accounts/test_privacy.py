"""Download my data and delete my account (UK GDPR): the export holds everything about the
person and nothing about anyone else; deletion keeps every count and result exact, unlinks
the person, and leaves a tombstone that cannot sign in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from moothall.accounts import privacy
from moothall.accounts.models import Role, User
from moothall.core.models import AuditEntry, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


def erase(user: User) -> User:
    privacy.delete_account(user, actor=user)
    return User.objects.get(pk=user.pk)


def rows(data: dict, label: str) -> list[dict]:
    return data["records"].get(label, [])


# --- Ideas: export, and supports and comments after deletion --------------------------------


@pytest.fixture
def ideas(council, other_council, resident):
    from tests.ideas.scene import build_scene, live_in

    scene = build_scene(council, other_council, resident)
    neighbour = factories.UserFactory(email="nell.neighbour@example.org", name="Nell Neighbour")
    live_in(council, neighbour)
    return scene, neighbour


def test_export_holds_everything_about_me_and_nothing_about_others(ideas, resident):
    from moothall.ideas import domain
    from moothall.notifications.models import Subscription
    from moothall.search.models import SavedSearch

    scene, neighbour = ideas
    resident.name = "Rhea Resident"
    resident.save()
    domain.comment(resident, scene.idea, body="My own comment about the park.")
    domain.comment(neighbour, scene.idea, body="Nell's private thoughts.")
    domain.support_idea(neighbour, scene.idea)
    Subscription.objects.create(user=resident, council=scene.council, kind="council", object_id=1)
    SavedSearch.objects.create(user=resident, query="benches")
    SavedSearch.objects.create(user=neighbour, query="nell's secret search")

    data = privacy.export_personal_data(resident)
    text = json.dumps(data)  # JSON-serialisable as it is

    assert rows(data, "accounts.user") == [
        {
            "id": resident.pk,
            "email": resident.email,
            "name": "Rhea Resident",
            "postcode": resident.postcode,
            "date_joined": resident.date_joined.isoformat(),
            "last_login": None,
            "is_active": True,
        }
    ]
    assert [e["email"] for e in rows(data, "account.emailaddress")] == [resident.email]
    assert [i["title"] for i in rows(data, "ideas.idea")] == [scene.idea.title]
    assert [c["body"] for c in rows(data, "ideas.comment")] == ["My own comment about the park."]
    assert [s["query"] for s in rows(data, "search.savedsearch")] == ["benches"]
    # Proposing the idea followed it; the council was followed by hand.
    assert sorted(s["kind"] for s in rows(data, "notifications.subscription")) == [
        "council",
        "idea",
    ]
    assert "ideas.support" not in data["records"]  # the resident supported nothing
    for other in ("nell", "Nell", neighbour.email, "secret search", "private thoughts"):
        assert other not in text

    neighbours = privacy.export_personal_data(neighbour)
    assert [s["idea_id"] for s in rows(neighbours, "ideas.support")] == [scene.idea.pk]
    assert "My own comment" not in json.dumps(neighbours)


def test_deleting_keeps_idea_supports_and_comments_but_not_who_made_them(ideas, resident):
    from moothall.ideas import domain
    from moothall.ideas.models import Comment, Idea, Support

    scene, neighbour = ideas
    domain.support_idea(neighbour, scene.idea)
    mine = domain.comment(neighbour, scene.idea, body="Please keep the benches.")
    before = Idea.objects.get(pk=scene.idea.pk).support_count
    assert before == Support.objects.filter(idea=scene.idea).count() >= 1

    tombstone = erase(neighbour)

    assert Idea.objects.get(pk=scene.idea.pk).support_count == before
    assert Support.objects.filter(idea=scene.idea).count() == before
    comment = Comment.objects.get(pk=mine.pk)
    assert comment.body == "Please keep the benches."
    assert comment.author_id is None
    assert str(tombstone) == "Former participant"
    # The author's own idea is untouched by a neighbour's deletion.
    assert Idea.objects.get(pk=scene.idea.pk).author_id == resident.pk


def test_deleting_the_author_leaves_the_idea_without_an_author(ideas, resident):
    from moothall.ideas.models import Idea

    scene, _neighbour = ideas
    erase(resident)
    idea = Idea.objects.get(pk=scene.idea.pk)
    assert idea.title == scene.idea.title
    assert idea.author_id is None


# --- The tombstone --------------------------------------------------------------------------


def test_the_tombstone_keeps_no_personal_data_and_cannot_sign_in(council, resident):
    from tests.factories import give_mfa

    resident.name = "Rhea Resident"
    resident.set_password("a long pass phrase")
    resident.save()
    give_mfa(resident)
    factories.ResidentVerificationFactory(user=resident, council=council)
    old_address = resident.email
    client = Client()
    client.force_login(resident)
    earlier = AuditEntry.objects.create(actor=resident, action="test.earlier", details={"x": 1})

    tombstone = erase(resident)

    assert tombstone.email == f"erased-{resident.pk}@erased.invalid"
    assert (tombstone.name, tombstone.postcode) == ("", "")
    assert not tombstone.is_active
    assert not tombstone.has_usable_password()
    assert tombstone.is_erased
    assert not EmailAddress.objects.filter(user=tombstone).exists()
    assert not Authenticator.objects.filter(user=tombstone).exists()
    assert not tombstone.verifications.exists()
    assert not Client().login(email=old_address, password="a long pass phrase")
    assert not Client().login(email=tombstone.email, password="a long pass phrase")
    # The old session no longer signs anyone in.
    assert client.get(reverse("accounts:profile")).status_code == 302
    # Audit rows are never changed; the new one holds no personal data.
    earlier.refresh_from_db()
    assert earlier.actor_id == tombstone.pk
    assert earlier.details == {"x": 1}
    entry = AuditEntry.objects.get(action="accounts.delete_account")
    assert old_address not in json.dumps(entry.details) + entry.target_repr
    assert "Rhea" not in entry.target_repr
    # A confirmation goes to the old address, and nothing else of theirs waits to be sent.
    assert list(
        OutboxMessage.objects.filter(to=old_address).values_list("template", flat=True)
    ) == ["accounts/email/account_deleted"]


def test_deleting_twice_does_nothing_more(resident):
    erase(resident)
    assert privacy.delete_account(User.objects.get(pk=resident.pk)) == {}
    assert AuditEntry.objects.filter(action="accounts.delete_account").count() == 1


def test_a_staff_members_roles_end_and_each_council_sees_it_in_its_audit_log(officer, council):
    erase(officer)
    assert not Role.objects.filter(user_id=officer.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.role_ended_by_account_deletion")
    assert entry.council_id == council.pk
    assert entry.details["kinds"] == ["officer"]


def test_a_platform_administrator_cannot_delete_themselves(platform_admin):
    with pytest.raises(privacy.AccountDeletionRefused):
        privacy.delete_account(platform_admin)
    assert User.objects.get(pk=platform_admin.pk).is_active


# --- Petitions: signatures stay counted, unlinked ------------------------------------------


def test_deleting_keeps_petition_counts_exact_and_unlinks_signatures(
    council, resident, moderator, officer
):
    from moothall.petitions import domain
    from moothall.petitions.models import Petition, Signature
    from tests.public.petitions_scene import build_scene, publish, sign

    world = build_scene(council, resident, moderator, officer)
    petition = publish(world, "Save Moot Park")
    signer = factories.UserFactory(email="sid.signer@example.org", name="Sid Signer")
    mine = domain.sign_petition(
        petition,
        name="Sid Signer",
        email=signer.email,
        postcode="MH1 1AA",
        basis="lives",
        declaration=True,
        user=signer,
        ip_address="192.0.2.7",
    )
    domain.confirm_signature(mine.token)
    sign(petition, "ann@example.org")
    sign(petition, "bob@example.org", "MH2 2BB")
    count, by_ward = domain.live_count(petition), domain.count_by_ward(petition)
    assert count == 3
    exported = privacy.export_personal_data(signer)
    assert [s["petition__title"] for s in rows(exported, "petitions.signature")] == [
        "Save Moot Park"
    ]
    assert "ann@example.org" not in json.dumps(exported)

    erase(signer)
    erase(resident)  # the petition's creator

    assert domain.live_count(petition) == count
    assert domain.count_by_ward(petition) == by_ward
    domain.recount_petition(petition.pk)
    assert Petition.objects.get(pk=petition.pk).signature_count == count
    kept = Signature.objects.get(pk=mine.pk)
    assert (kept.user_id, kept.name, kept.email, kept.postcode, kept.ip_address) == (
        None,
        "",
        "",
        "",
        None,
    )
    assert kept.status == "confirmed"
    petition.refresh_from_db()
    assert petition.creator_id is None
    assert petition.creator_name == "Former participant"
    assert petition.title == "Save Moot Park"


# --- Participatory budgeting: results stay exact --------------------------------------------


def test_deleting_a_voter_keeps_budget_results_exact(council, officer):
    from moothall.budgeting import domain
    from moothall.budgeting.models import Ballot, Phase, Result
    from tests.budgeting.scene import build_scene

    scene = build_scene(council)
    p = scene.projects
    domain.cast_ballot(scene.moot_resident, scene.whole, [p["library"].pk, p["trees"].pk])
    domain.cast_ballot(scene.hill_resident, scene.whole, [p["trees"].pk, p["skatepark"].pk])
    process = domain.change_phase(officer, scene.process, Phase.RESULTS)

    def snapshot():
        return [
            (r.budget_id, r.selected, r.spent, r.ballots)
            for r in Result.objects.filter(budget__process=process).order_by("budget_id")
        ]

    before, totals = snapshot(), domain.vote_totals(scene.whole)
    exported = privacy.export_personal_data(scene.moot_resident)
    assert len(rows(exported, "budgeting.ballot")) == 1
    assert {c["project__title"] for c in rows(exported, "budgeting.ballotchoice")} == {
        p["library"].title,
        p["trees"].title,
    }

    erase(scene.moot_resident)

    assert Ballot.objects.filter(budget=scene.whole).count() == 2
    assert Ballot.objects.filter(voter_id=scene.moot_resident.pk).count() == 0
    assert domain.vote_totals(scene.whole) == totals
    assert snapshot() == before


# --- Deliberation: votes stay counted --------------------------------------------------------


def test_deleting_a_participant_keeps_deliberation_votes(council, resident):
    from moothall.deliberation import domain
    from moothall.deliberation.models import Participant, Vote
    from tests.deliberation.d1_scene import conversation

    found = conversation(council)
    statements = list(found.statements.order_by("number"))
    me = domain.join(found, user=resident)
    other = domain.join(found, user=factories.UserFactory(email="o@example.org"))
    domain.cast_vote(me, statements[0], 1)
    domain.cast_vote(me, statements[1], -1)
    domain.cast_vote(other, statements[0], 1)
    mine_text = domain.add_statement(found, text="Fewer cars near the school", author=me)
    before = sorted(Vote.objects.filter(conversation=found).values_list("statement_id", "value"))

    exported = privacy.export_personal_data(resident)
    # Two votes cast, and the agree vote an author gives their own statement.
    assert sorted(v["statement_id"] for v in rows(exported, "deliberation.vote")) == sorted(
        [statements[0].pk, statements[1].pk, mine_text.pk]
    )
    assert [s["text"] for s in rows(exported, "deliberation.statement")] == [mine_text.text]

    erase(resident)

    after = sorted(Vote.objects.filter(conversation=found).values_list("statement_id", "value"))
    assert after == before
    assert Participant.objects.get(pk=me.pk).user_id is None


# --- Surveys, correspondence, live comments, meetings ---------------------------------------


def test_survey_answers_stay_but_no_longer_lead_to_the_person(council, resident):
    from moothall.surveys.models import Answer, Question, Response, Survey

    survey = Survey.objects.create(council=council, title="Parks survey", slug="parks")
    question = Question.objects.create(survey=survey, kind="short_text", text="Why?")
    response = Response.objects.create(
        survey=survey, user=resident, state="submitted", age_band="35-44"
    )
    Answer.objects.create(response=response, question=question, value="Because trees.")

    exported = privacy.export_personal_data(resident)
    assert [a["value"] for a in rows(exported, "surveys.answer")] == ["Because trees."]
    assert rows(exported, "surveys.response")[0]["age_band"] == "35-44"

    erase(resident)

    response.refresh_from_db()
    assert response.user_id is None
    assert Answer.objects.filter(response__survey=survey).count() == 1


def test_messages_to_councillors_stay_with_the_councillor_without_the_sender(council, resident):
    from moothall.correspondence.models import Message

    councillor = factories.CouncillorFactory(council=council)
    now = timezone.now()
    message = Message.objects.create(
        council=council,
        councillor=councillor,
        sender=resident,
        sender_name="Rhea Resident",
        sender_postcode="MH1 1AA",
        subject="Potholes",
        body="The potholes on my road.",
        body_hash="x",
        created_at=now,
        last_activity_at=now,
    )
    link = message.sender_token
    exported = privacy.export_personal_data(resident)
    assert [m["subject"] for m in rows(exported, "correspondence.message")] == ["Potholes"]

    erase(resident)

    message.refresh_from_db()
    assert (message.sender_name, message.sender_postcode) == ("Former participant", "")
    assert message.body == "The potholes on my road."
    assert message.sender_token != link


# --- Pages ------------------------------------------------------------------------------------


def test_the_profile_page_links_to_download_and_delete(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:download_data") in page
    assert reverse("accounts:delete_account") in page


@pytest.mark.parametrize("name", ["accounts:download_data", "accounts:delete_account"])
def test_the_privacy_pages_need_a_signed_in_person(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post(reverse(name)).status_code == 302


def test_downloading_gives_a_json_file_and_is_audited(client, resident):
    client.force_login(resident)
    assert client.get(reverse("accounts:download_data")).status_code == 200
    assert not AuditEntry.objects.filter(action="accounts.download_personal_data").exists()

    response = client.post(reverse("accounts:download_data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["records"]["accounts.user"][0]["email"] == resident.email
    entry = AuditEntry.objects.get(action="accounts.download_personal_data")
    assert entry.actor_id == resident.pk


def test_the_delete_page_explains_and_asks_for_the_email(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:delete_account"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="what-goes"' in text
    assert 'id="what-stays"' in text

    wrong = client.post(reverse("accounts:delete_account"), {"email": "someone@example.org"})

    assert wrong.status_code == 200
    assert "That is not the email address of this account" in wrong.content.decode()
    assert User.objects.get(pk=resident.pk).is_active

    done = client.post(reverse("accounts:delete_account"), {"email": resident.email.upper()})

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:account_deleted")
    assert User.objects.get(pk=resident.pk).is_erased
    assert client.get(done["Location"]).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_a_platform_administrator_is_told_why_not(client, platform_admin):
    client.force_login(platform_admin)
    page = client.post(reverse("accounts:delete_account"), {"email": platform_admin.email})
    assert page.status_code == 403
    assert 'id="refused"' in page.content.decode()
    assert User.objects.get(pk=platform_admin.pk).is_active


def test_erased_people_are_shown_as_former_participants(resident):
    tombstone = erase(resident)
    assert tombstone.get_full_name() == tombstone.get_short_name() == "Former participant"


def test_outbox_rows_for_the_person_are_exported_then_deleted(resident):
    from moothall.core.mail import queue_email

    queue_email(resident.email, "accounts/email/account_deleted", {})
    queue_email("someone.else@example.org", "accounts/email/account_deleted", {})
    exported = privacy.export_personal_data(resident)
    assert [m["to"] for m in rows(exported, "core.outboxmessage")] == [resident.email]
    old = resident.email

    erase(resident)

    assert OutboxMessage.objects.filter(to=old).count() == 1  # only the confirmation
    assert OutboxMessage.objects.filter(to="someone.else@example.org").count() == 1


def test_an_unfinished_notification_forgets_the_persons_address(council, resident):
    from moothall.notifications.models import Notification

    running = Notification.objects.create(
        council=council, event="x", title="t", url="/", exclude_emails=[resident.email, "z@x.org"]
    )
    erase(resident)
    running.refresh_from_db()
    assert running.exclude_emails == ["z@x.org"]


def test_deletion_is_one_transaction(resident, monkeypatch):
    """A failure part-way leaves everything as it was."""
    from moothall.search.models import SavedSearch

    SavedSearch.objects.create(user=resident, query="benches")

    def boom(user):
        raise RuntimeError("disk full")

    by_label = {r.label: r for r in privacy.registrations()}
    broken = privacy.Registration(
        **{**by_label["notifications.notification"].__dict__, "eraser": boom}
    )
    monkeypatch.setitem(privacy._registry, "notifications.notification", broken)
    with pytest.raises(RuntimeError):
        privacy.delete_account(resident)
    assert SavedSearch.objects.filter(user=resident).count() == 1
    assert User.objects.get(pk=resident.pk).email == resident.email
    assert EmailAddress.objects.filter(user=resident).exists()


def test_date_fields_are_exported_as_text(resident):
    data = privacy.export_personal_data(resident)
    joined = data["records"]["accounts.user"][0]["date_joined"]
    assert dt.datetime.fromisoformat(joined) == resident.date_joined


def test_live_comments_and_questions_to_meetings_stay_as_former_participant(council, resident):
    from moothall.live.models import Comment
    from moothall.meetings.models import PublicSubmission

    meeting = factories.MeetingFactory(body=factories.BodyFactory(council=council))
    said = Comment.objects.create(
        meeting=meeting,
        author=resident,
        display_name="Rhea R",
        text="Hear hear",
        status="published",
    )
    asked = PublicSubmission.objects.create(
        meeting=meeting, submitter=resident, display_name="Rhea R", kind="question", text="When?"
    )
    exported = privacy.export_personal_data(resident)
    assert [c["text"] for c in rows(exported, "live.comment")] == ["Hear hear"]
    assert [q["text"] for q in rows(exported, "meetings.publicsubmission")] == ["When?"]

    tombstone = erase(resident)

    said.refresh_from_db()
    asked.refresh_from_db()
    assert (said.display_name, said.text, said.author_id) == (
        "Former participant",
        "Hear hear",
        tombstone.pk,
    )
    assert (asked.display_name, asked.text) == ("Former participant", "When?")


def test_platform_staff_can_erase_an_account_from_the_admin(client, platform_admin, resident):
    client.force_login(platform_admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "erase_accounts", "_selected_action": [resident.pk, platform_admin.pk]},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=resident.pk).is_erased
    assert User.objects.get(pk=platform_admin.pk).is_active  # refused, with a message
    entry = AuditEntry.objects.get(action="accounts.delete_account")
    assert entry.details["by_self"] is False
    assert entry.actor_id == platform_admin.pk
