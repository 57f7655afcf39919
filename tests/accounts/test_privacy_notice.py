"""The council's privacy notice shows its real settings and retention periods; council admins
edit the settings (audited); consultation respondents are unlinked after the council's period
by a scheduled task, and results stay exact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from moothall.accounts import retention
from moothall.accounts.models import PrivacySettings
from moothall.accounts.privacy_notice import update_privacy_settings
from moothall.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def notice_url(council) -> str:
    return reverse("public:privacy_notice", kwargs={"council": council.slug})


def settings_url(council) -> str:
    return reverse("staff:privacy_settings", kwargs={"council": council.slug})


def test_the_notice_shows_the_councils_real_retention_periods(client, council):
    from moothall.budgeting.models import BudgetProcess
    from moothall.petitions.models import PetitionScheme

    PetitionScheme.objects.create(council=council, retention_days=45)
    BudgetProcess.objects.create(
        council=council,
        title="Moot Fund 2026",
        slug="moot-fund",
        phase="voting",
        keep_voters_days=200,
    )
    BudgetProcess.objects.create(
        council=council, title="Draft fund", slug="draft", keep_voters_days=9
    )
    PrivacySettings.objects.create(
        council=council,
        controller_name="Mootshire County Council (Data Protection)",
        dpo_name="Dee Peo",
        dpo_email="dpo@mootshire.example.gov.uk",
        ico_registration="Z7654321",
        respondent_retention_days=123,
    )

    page = client.get(notice_url(council))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Mootshire County Council (Data Protection)" in text
    assert "dpo@mootshire.example.gov.uk" in text
    assert "Z7654321" in text
    assert "Petition signers: 45 days after the petition closes." in text
    assert "Voters in “Moot Fund 2026”: 200 days after the results are published." in text
    assert "Draft fund" not in text  # not yet public
    assert "Survey respondents and conversation participants: 123 days" in text
    assert "Deleted 45 days after the petition closes" in text
    assert "ico.org.uk" in text
    assert reverse("accounts:download_data") in text
    assert reverse("accounts:delete_account") in text


def test_the_notice_has_defaults_before_the_council_sets_anything(client, council):
    text = client.get(notice_url(council)).content.decode()
    assert council.name in text
    assert "Petition signers: 365 days" in text
    assert "Survey respondents and conversation participants: 365 days" in text


def test_an_unknown_council_has_no_notice(client, db):
    assert client.get("/no-such-council/privacy/").status_code == 404


def test_a_council_admin_edits_the_settings_and_it_is_audited(client, council, council_admin):
    client.force_login(council_admin)
    assert client.get(settings_url(council)).status_code == 200

    response = client.post(
        settings_url(council),
        {
            "controller_name": "",
            "controller_address": "Moot Hall, Moot Street",
            "contact_email": "privacy@mootshire.example.gov.uk",
            "dpo_name": "Dee Peo",
            "dpo_email": "",
            "ico_registration": "Z1234567",
            "respondent_retention_days": "400",
            "extra_information": "",
        },
    )

    assert response.status_code == 302
    saved = PrivacySettings.objects.get(council=council)
    assert saved.respondent_retention_days == 400
    assert saved.dpo_name == "Dee Peo"
    entry = AuditEntry.objects.get(action="accounts.update_privacy_settings")
    assert entry.actor_id == council_admin.pk
    assert entry.council_id == council.pk
    assert entry.details["before"]["respondent_retention_days"] == 365
    assert entry.details["after"]["respondent_retention_days"] == 400
    assert "Survey respondents and conversation participants: 400 days" in (
        client.get(notice_url(council)).content.decode()
    )


def test_bad_settings_are_refused_with_a_message_and_nothing_is_written(
    client, council, council_admin
):
    client.force_login(council_admin)
    response = client.post(
        settings_url(council), {"respondent_retention_days": "3", "contact_email": "nope"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not PrivacySettings.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.update_privacy_settings").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 403),
        ("councillor_user", 403),
        ("officer", 403),
        ("moderator", 403),
        ("outsider", 403),
        ("council_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_only_council_admins_may_open_the_settings(client, council, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(settings_url(council)).status_code == status
    posted = client.post(settings_url(council), {"respondent_retention_days": "400"})
    if status == 403:
        assert posted.status_code == 403
        assert not PrivacySettings.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, council):
    response = client.get(settings_url(council))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_verb_refuses_people_who_may_not_and_bad_values(council, officer, council_admin):
    with pytest.raises(PermissionDenied):
        update_privacy_settings(officer, council, dpo_name="X")
    with pytest.raises(ValidationError):
        update_privacy_settings(council_admin, council, respondent_retention_days=10)
    with pytest.raises(ValueError, match="cannot change"):
        update_privacy_settings(council_admin, council, council_id=2)
    assert not PrivacySettings.objects.exists()


# --- Retention of consultation respondents ---------------------------------------------------


def test_respondents_are_unlinked_after_the_councils_period_and_results_stay(
    council, other_council, resident
):
    from moothall.deliberation import domain as deliberation
    from moothall.deliberation.models import Participant, Vote
    from moothall.surveys.models import Answer, Question, Response, Survey
    from tests.deliberation.d1_scene import conversation

    PrivacySettings.objects.create(council=council, respondent_retention_days=30)
    closed = timezone.now() - dt.timedelta(days=10)
    survey = Survey.objects.create(
        council=council, title="Parks", slug="parks", status="closed", closed_at=closed
    )
    question = Question.objects.create(survey=survey, kind="short_text", text="Why?")
    response = Response.objects.create(survey=survey, user=resident, state="submitted")
    Answer.objects.create(response=response, question=question, value="Trees.")
    # Another council keeps the default period (365 days).
    theirs = Survey.objects.create(
        council=other_council, title="Roads", slug="roads", status="closed", closed_at=closed
    )
    kept = Response.objects.create(survey=theirs, user=resident, state="submitted")
    talk = conversation(council)
    me = deliberation.join(talk, user=resident)
    deliberation.cast_vote(me, talk.statements.order_by("number").first(), 1)
    deliberation.close_conversation(talk, by=None)
    votes = Vote.objects.filter(conversation=talk).count()

    assert retention.purge_respondents(closed + dt.timedelta(days=30, seconds=-1)) == 0
    assert retention.purge_respondents(timezone.now() + dt.timedelta(days=31)) == 2

    response.refresh_from_db()
    kept.refresh_from_db()
    assert response.user_id is None
    assert kept.user_id == resident.pk
    assert Answer.objects.filter(response=response).count() == 1
    assert Participant.objects.get(pk=me.pk).user_id is None
    assert Vote.objects.filter(conversation=talk).count() == votes


def test_every_retention_task_is_scheduled():
    from moothall.core.schedule import registered_jobs

    jobs = {job.name for job in registered_jobs()}
    assert {
        "moothall.petitions.tasks.purge_personal_data",
        "moothall.budgeting.tasks.purge_voters",
        "moothall.accounts.tasks.purge_respondents",
        "moothall.core.tasks.purge_outbox",
    } <= jobs


def test_the_scheduled_task_runs_the_verb(council, resident):
    from moothall.accounts.tasks import purge_respondents
    from moothall.surveys.models import Response, Survey

    long_ago = timezone.now() - dt.timedelta(days=400)
    survey = Survey.objects.create(
        council=council, title="Old", slug="old", status="closed", closed_at=long_ago
    )
    Response.objects.create(survey=survey, user=resident, state="submitted")
    assert purge_respondents.enqueue().return_value == 1
    assert not Response.objects.filter(user=resident).exists()


def test_the_council_page_footer_links_to_its_privacy_notice(client, council):
    page = client.get(council.get_absolute_url()).content.decode()
    assert 'id="footer-privacy"' in page
    assert notice_url(council) in page
    assert 'id="footer-privacy"' not in client.get(reverse("public:councils")).content.decode()
