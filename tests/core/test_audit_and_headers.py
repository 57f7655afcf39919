import pytest
from django.contrib.auth.models import AnonymousUser

from moothall.core.audit import record
from moothall.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_audit_entry_names_actor_council_and_target(officer, council):
    entry = record(
        "council.branding_changed", actor=officer, council=council, target=council, colour="#005a30"
    )

    assert AuditEntry.objects.get() == entry
    assert entry.actor == officer
    assert entry.council == council
    assert (entry.target_type, entry.target_id, entry.target_repr) == (
        "councils.council",
        str(council.pk),
        "Mootshire",
    )
    assert entry.details == {"colour": "#005a30"}


def test_an_anonymous_actor_is_recorded_as_the_system(council):
    entry = record("postcodes.imported", actor=AnonymousUser(), council=council, rows=3)

    assert entry.actor is None
    assert entry.target_type == ""


def test_every_response_carries_a_strict_content_security_policy(client):
    response = client.get("/councils/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
