"""The council's audit log: council admins read, filter, page and download what staff did
at their council, and nothing of another council's."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from moothall.accounts import domain
from moothall.core.audit import changes, record
from moothall.core.models import AuditEntry
from moothall.petitions.domain import update_petition_scheme
from moothall.staff.audit_views import _cell, describe
from tests.staff import html

URL = "/mootshire/staff/audit/"


def test_a_council_admin_reads_what_staff_did_at_their_council_only(
    client, council, other_council, council_admin, officer, resident, outsider
):
    domain.verify_resident(officer, resident, council, "phone", "Phoned them")
    domain.revoke_role(council_admin, officer.roles.get(), "Moved teams")
    record("councillors.imported", council=other_council)
    record("role.granted", actor=outsider, council=other_council, target=other_council)
    client.force_login(council_admin)

    response = client.get(URL)

    assert response.status_code == 200
    assert html.h1(response) == "Audit log"
    assert [row[1:4] for row in html.table_rows(response)] == [
        ["ada.admin@example.org", "role.revoked", "Olive Officer — Officer at Mootshire Role"],
        [
            "olive.officer@example.org",
            "resident.verified",
            "Rita Resident verified at Mootshire (Checked by phone by an officer) "
            "Resident verification",
        ],
    ]
    assert "otto.outsider" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
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
def test_only_council_admins_and_platform_admins_read_the_log(
    client, request, council, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == status
    assert client.get(URL + "?download=csv").status_code == status


def test_signed_out_people_are_sent_to_sign_in(client, council):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_log_is_read_only(client, council, council_admin):
    record("test.entry", council=council)
    client.force_login(council_admin)
    assert client.post(URL, {"action": "x"}).status_code == 405
    assert AuditEntry.objects.get().action == "test.entry"


def test_settings_changes_show_before_and_after(client, council, council_admin):
    update_petition_scheme(council_admin, council, response_threshold=25, hearing_threshold=900)
    record(
        "test.settings",
        actor=council_admin,
        council=council,
        target=council,
        **changes({"is_open": True, "limit": 3}, {"is_open": False, "limit": 3}),
    )
    client.force_login(council_admin)

    rows = html.table_rows(client.get(URL))

    assert rows[0][4] == "Is open Yes → No"
    assert "Response threshold 10 → 25" in rows[1][4]
    assert "Hearing threshold 500 → 900" in rows[1][4]


def test_filter_by_action_or_its_start(client, council, council_admin):
    record("petitions.scheme_updated", council=council)
    record("petitions.published", council=council)
    record("petitionsx.other", council=council)
    record("ideas.update_settings", council=council)
    client.force_login(council_admin)

    def actions(query: str) -> list[str]:
        return [row[2] for row in html.table_rows(client.get(URL + query))]

    assert actions("?action=petitions") == ["petitions.published", "petitions.scheme_updated"]
    assert actions("?action=petitions.") == ["petitions.published", "petitions.scheme_updated"]
    assert actions("?action=petitions.published") == ["petitions.published"]
    assert actions("?action=nothing.like.this") == []


def test_filter_by_who_and_kind_of_thing(
    client, council, council_admin, officer, moderator, resident
):
    domain.verify_resident(officer, resident, council, "phone", "Phoned them")
    record("test.moderated", actor=moderator, council=council, target=council)
    record("test.by_the_system", council=council)
    client.force_login(council_admin)

    by_olive = html.table_rows(client.get(URL + "?who=olive"))
    by_name = html.table_rows(client.get(URL + "?who=Morgan+Moderator"))
    councils = html.table_rows(client.get(URL + "?target=councils.council"))

    assert [row[2] for row in by_olive] == ["resident.verified"]
    assert [row[2] for row in by_name] == ["test.moderated"]
    assert [row[2] for row in councils] == ["test.moderated"]
    page = client.get(URL).content.decode()
    assert '<option value="councils.council">Council</option>' in page


def test_filter_by_dates(client, council, council_admin, monkeypatch):
    for day in (dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)):
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        monkeypatch.setattr(timezone, "now", lambda noon=noon: noon)
        record(f"test.on_{day.day}", council=council)
    monkeypatch.undo()
    client.force_login(council_admin)

    def actions(query: str) -> list[str]:
        return [row[2] for row in html.table_rows(client.get(URL + query))]

    assert actions("?since=2026-03-02") == ["test.on_3", "test.on_2"]
    assert actions("?until=2026-03-02") == ["test.on_2", "test.on_1"]
    assert actions("?since=2026-03-02&until=2026-03-02") == ["test.on_2"]


def test_a_wrong_filter_says_what_to_fix(client, council, council_admin):
    record("test.entry", council=council)
    client.force_login(council_admin)

    response = client.get(URL + "?since=2026-03-05&until=2026-03-01")
    bad_date = client.get(URL + "?since=not-a-date")

    assert response.status_code == 400
    assert html.title(response).startswith("Error:")
    assert html.error_summary(response) == [
        "The end date must be the same as or after the start date."
    ]
    assert html.table_rows(response) == []
    assert bad_date.status_code == 400
    assert html.error_summary(bad_date) == ["Enter a valid date."]


def test_pages_keep_the_filters(client, council, council_admin):
    for n in range(51):
        record("petitions.published", council=council, n=n)
    record("ideas.published", council=council)
    client.force_login(council_admin)

    first = client.get(URL + "?action=petitions")
    second = client.get(URL + "?action=petitions&page=2")

    assert len(html.table_rows(first)) == 50
    assert 'href="?action=petitions&amp;page=2"' in first.content.decode()
    assert [row[4] for row in html.table_rows(second)] == ["N: 0"]


def test_the_filtered_log_downloads_as_csv_and_the_download_is_recorded(
    client, council, other_council, council_admin, officer
):
    record("petitions.published", actor=officer, council=council, target=council, n=1)
    record("petitions.published", council=council, title="=HYPERLINK()")
    record("ideas.published", council=council)
    record("petitions.published", council=other_council)
    client.force_login(council_admin)

    response = client.get(URL + "?action=petitions&download=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="mootshire-audit-log-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["when", "who", "action", "target_type", "target_id", "target", "details"]
    assert [row[1:6] for row in rows[1:]] == [
        ["The system", "petitions.published", "", "", ""],
        [
            "olive.officer@example.org",
            "petitions.published",
            "councils.council",
            str(council.pk),
            "Mootshire",
        ],
    ]
    assert rows[1][6] == '{"title": "=HYPERLINK()"}'  # JSON: starts with "{", no formula
    exported = AuditEntry.objects.filter(action="audit.log_exported").get()
    assert (exported.actor, exported.council, exported.details) == (
        council_admin,
        council,
        {"rows": 2, "format": "csv", "filters": {"action": "petitions"}},
    )


def test_a_cell_that_a_spreadsheet_would_run_is_defused():
    assert [_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "plain")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "plain",
    ]


def test_the_page_works_without_javascript(client, council, council_admin):
    record("test.entry", council=council)
    client.force_login(council_admin)
    page = client.get(URL).content.decode()

    assert '<form method="get" action="/mootshire/staff/audit/"' in page
    assert '<button type="submit"' in page
    assert 'href="/mootshire/staff/audit/?download=csv"' in page
    assert "<script>" not in page
    assert " style=" not in page


def test_every_form_of_before_and_after_reads_plainly(council):
    def shown(**details):
        return describe(record("test.entry", council=council, **details))

    assert shown(before="post", after="pre") == {
        "changes": [("Value", "post", "pre")],
        "facts": [],
    }
    assert shown(changed={"limit": [10, 20]}, reason="Busy") == {
        "changes": [("Limit", "10", "20")],
        "facts": [("Reason", "Busy")],
    }
    assert shown(before={"open": True}, after={"open": False, "note": None}) == {
        "changes": [("Open", "Yes", "No"), ("Note", "–", "–")],
        "facts": [],
    }
    assert shown(changed=["title"], rows=3) == {
        "changes": [],
        "facts": [("Changed", "title"), ("Rows", "3")],
    }
