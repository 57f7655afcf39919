"""Staff actions of every kind leave an audit entry: who, what, and for a change of
settings the values before and after; for an export, what and how many rows.

(Every staff verb is checked to call ``record`` by tests/core/test_audit_coverage.py;
these check what representative ones actually write.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from moothall.accounts import domain as accounts
from moothall.budgeting import domain as budgeting
from moothall.budgeting.models import Phase
from moothall.core.models import AuditEntry
from moothall.correspondence import domain as correspondence
from moothall.surveys import domain as surveys
from moothall.surveys.models import Status, Survey
from tests.budgeting.scene import build_scene
from tests.deliberation import d2_scene
from tests.population.scene import build_area
from tests.surveys.test_export import respond


def only(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# --- Verifying, roles -------------------------------------------------------------------


def test_verifying_a_resident_and_revoking_a_role_are_recorded(
    council, officer, council_admin, resident
):
    accounts.verify_resident(officer, resident, council, "phone", "Phoned them")
    accounts.revoke_role(council_admin, officer.roles.get(), "Moved teams")

    verified, revoked = only("resident.verified"), only("role.revoked")
    assert (verified.actor, verified.council, verified.details["method"]) == (
        officer,
        council,
        "phone",
    )
    assert (revoked.actor, revoked.details["kind"], revoked.details["reason"]) == (
        council_admin,
        "officer",
        "Moved teams",
    )


# --- Settings: before and after --------------------------------------------------------


def test_correspondence_settings_record_before_and_after(council, council_admin):
    correspondence.update_correspondence_settings(council_admin, council, messages_per_day=2)

    entry = only("correspondence.update_settings")
    assert entry.actor == council_admin
    assert entry.details["after"] == {"messages_per_day": 2}
    assert entry.details["before"]["messages_per_day"] != 2


def test_a_budgeting_process_change_records_before_and_after(council, officer):
    scene = build_scene(council, phase=Phase.DRAFT)
    was = scene.process.max_projects

    budgeting.update_process(officer, scene.process, max_projects=3, title=scene.process.title)

    entry = only("budgeting.process_updated")
    assert entry.details["before"] == {"max_projects": was}
    assert entry.details["after"] == {"max_projects": 3}


def test_a_survey_change_records_before_and_after(council, officer):
    survey = Survey.objects.create(council=council, title="Parks", slug="parks")

    surveys.update_survey(survey, by=officer, title="Parks and gardens")

    entry = only("surveys.survey_updated")
    assert (entry.details["before"], entry.details["after"]) == (
        {"title": "Parks"},
        {"title": "Parks and gardens"},
    )


# --- Exports ----------------------------------------------------------------------------


def test_downloading_survey_responses_is_recorded_with_the_number_of_rows(client, council, officer):
    survey = Survey.objects.create(
        council=council, title="Parks", slug="parks", status=Status.CLOSED
    )
    respond(survey, {})
    respond(survey, {})
    client.force_login(officer)

    response = client.get("/mootshire/staff/surveys/parks/responses.csv")

    assert response.status_code == 200
    entry = only("surveys.responses_exported")
    assert (entry.actor, entry.council, entry.target_id) == (officer, council, str(survey.pk))
    assert entry.details == {"rows": 2, "format": "csv"}


def test_downloading_ward_population_is_recorded(client, council, officer):
    build_area(council)
    client.force_login(officer)

    response = client.get("/mootshire/staff/population/population.csv")

    assert response.status_code == 200
    entry = only("population.exported")
    assert entry.actor == officer
    assert entry.details["format"] == "csv"
    assert entry.details["rows"] > 0


def test_exporting_a_conversation_is_recorded(client, council, officer):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("Benches", "accepted")], votes={(0, 0): 1, (1, 0): -1}
    )
    client.force_login(officer)

    response = client.get(f"/mootshire/staff/deliberations/{conversation.slug}/export/")

    assert response.status_code == 200
    entry = only("deliberation.conversation_exported")
    assert (entry.actor, entry.target_id) == (officer, str(conversation.pk))
    assert entry.details == {"rows": 2, "format": "polis", "votes": 2}


def test_downloading_a_budget_result_is_recorded(client, council, officer):
    scene = build_scene(council, phase=Phase.VOTING)
    budgeting.enter_paper_ballot(None, scene.whole, [scene.projects["library"].pk], reference="P")
    budgeting.change_phase(None, scene.process, Phase.RESULTS)
    client.force_login(officer)

    response = client.get(
        f"/mootshire/staff/budgets/{scene.process.pk}/results/{scene.whole.pk}.csv"
    )

    assert response.status_code == 200
    entry = only("budgeting.result_exported")
    assert (entry.actor, entry.target_id, entry.details["format"]) == (
        officer,
        str(scene.whole.pk),
        "csv",
    )
    assert entry.details["rows"] == scene.whole.projects.filter(status="accepted").count()


@pytest.mark.parametrize(
    "url",
    [
        "/mootshire/staff/surveys/parks/responses.csv",
        "/mootshire/staff/population/population.csv",
    ],
)
def test_a_refused_export_records_nothing(client, council, moderator, url):
    Survey.objects.create(council=council, title="Parks", slug="parks", status=Status.CLOSED)
    client.force_login(moderator)

    assert client.get(url).status_code in (403, 404)
    assert not AuditEntry.objects.exists()


def test_the_export_commands_are_recorded_as_the_system(council, tmp_path):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("Benches", "accepted")], votes={(0, 0): 1, (1, 0): -1}
    )
    scene = build_scene(council, phase=Phase.VOTING)
    budgeting.enter_paper_ballot(None, scene.whole, [scene.projects["library"].pk], reference="P")
    budgeting.change_phase(None, scene.process, Phase.RESULTS)

    call_command("export_polis", conversation.pk, str(tmp_path / "polis"), stdout=io.StringIO())
    call_command(
        "export_pabulib",
        scene.process.pk,
        str(tmp_path / "out.pb"),
        budget=scene.whole.pk,
        stdout=io.StringIO(),
    )

    polis, pabulib = only("deliberation.conversation_exported"), only("budgeting.pabulib_exported")
    assert (polis.actor, polis.council, polis.details["format"]) == (None, council, "polis")
    assert polis.details["rows"] == 2
    assert (pabulib.actor, pabulib.target_id, pabulib.details["format"]) == (
        None,
        str(scene.process.pk),
        "pabulib",
    )
    assert pabulib.details["rows"] >= 1
