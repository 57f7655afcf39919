"""Personal data held by Django's and allauth's own models (see ``accounts.privacy``)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django_tasks_db.models import DBTaskResult

from moothall.accounts.models import PrivacySettings, ResidentVerification, Role, User
from moothall.accounts.privacy import Erase, not_personal, register

register(
    EmailAddress,
    owner="user",
    export=("email", "verified", "primary"),
    erase=Erase.DELETE,
)
register(
    Authenticator,
    owner="user",
    # Never the secrets in ``data``: only that a method exists and when it was used.
    export=("type", "created_at", "last_used_at"),
    erase=Erase.DELETE,
)
register(
    LogEntry,
    owner=None,
    erase=Erase.KEEP,
    actors=("user",),
    retention="Django admin history of platform staff; points at the anonymised tombstone.",
)
not_personal(Permission, reason="Django permission names.")
not_personal(Group, reason="Django group names.")


not_personal(DBTaskResult, reason="Queue and backend names of background tasks.")

# --- The accounts app's own models -----------------------------------------------------------

register(
    User,
    owner="pk",
    export=("email", "name", "postcode", "date_joined", "last_login", "is_active"),
    # delete_account itself turns the row into a tombstone (no email, name or postcode).
    erase=Erase.KEEP,
)
register(
    Role,
    owner="user",
    export=("council__slug", "kind", "granted_at"),
    erase=Erase.DELETE,  # roles end with the account; the audit log keeps the history
    actors=("granted_by",),
)
register(
    ResidentVerification,
    owner="user",
    export=("council__slug", "method", "reason", "created_at", "revoked_at", "revocation_reason"),
    erase=Erase.DELETE,
    actors=("verified_by", "revoked_by"),
)
not_personal(
    PrivacySettings,
    reason="The council's published contact details as data controller (an organisation).",
)
