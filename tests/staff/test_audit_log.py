from __future__ import annotations

from moothall.accounts import domain
from moothall.core.audit import record
from tests.staff import html


def test_a_council_admin_reads_what_staff_did_at_their_council_only(
    client, council, other_council, council_admin, officer, resident, outsider
):
    domain.verify_resident(officer, resident, council, "phone", "Phoned them")
    domain.revoke_role(council_admin, officer.roles.get(), "Moved teams")
    record("councillors.imported", council=other_council)
    client.force_login(council_admin)

    response = client.get("/mootshire/staff/audit/")

    assert response.status_code == 200
    assert html.h1(response) == "Audit log"
    assert [row[1:] for row in html.table_rows(response)] == [
        ["ada.admin@example.org", "role.revoked", "Olive Officer — Officer at Mootshire"],
        [
            "olive.officer@example.org",
            "resident.verified",
            "Rita Resident verified at Mootshire (Checked by phone by an officer)",
        ],
    ]


def test_an_officer_cannot_read_the_audit_log(client, council, officer):
    client.force_login(officer)

    assert client.get("/mootshire/staff/audit/").status_code == 403
