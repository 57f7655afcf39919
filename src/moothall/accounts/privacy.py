"""Personal data (UK GDPR): what each model holds about a person, how it is exported, and
what happens to it when the person deletes their account.

Every model that holds a person's data declares it once with :func:`register`, in its
app's ``privacy.py`` (imported by :func:`ensure_loaded`). A model whose name-like fields
are not about a resident declares that with :func:`not_personal`. A test fails when a model
with a link to the user model, or a field that looks like an email, name, postcode or
internet address, is declared neither way.

The two verbs:

* :func:`export_personal_data` — everything about the person, as JSON-ready data;
* :func:`delete_account` — in one transaction: the person's rows are deleted, unlinked or
  anonymised as each model declared; the user row becomes an inactive tombstone (no email,
  no name, no password), shown as "Former participant". Audit rows are never touched.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from moothall.core.audit import plain

FORMER_PARTICIPANT = _("Former participant")

# Fields named like this hold, or may hold, a person's details (the coverage test's net).
PERSONAL_FIELD_PATTERN = r"(^|_)(email|emails|name|postcode|ip_address|phone|address)$"


class Erase(enum.StrEnum):
    """What deleting an account does to the person's rows of one model."""

    DELETE = "delete"  # the rows go
    UNLINK = "unlink"  # the rows stay; the link to the person is emptied, ``clear`` blanked
    ANONYMISE = "anonymise"  # the rows stay, pointing at the tombstone; ``clear`` blanked
    KEEP = "keep"  # nothing to do (child rows of an unlinked parent, staff records…)


_BLANK = object()


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    owner: tuple[str, ...]
    export: tuple[str, ...]
    erase: Erase
    clear: Mapping[str, Any]
    actors: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    retention: str = ""
    exporter: Callable[[Any], list[dict[str, Any]]] | None = None
    eraser: Callable[[Any], int] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self, user: Any) -> models.QuerySet[Any]:
        """The person's rows (none when the model has no owner)."""
        manager = self.model._base_manager
        if not self.owner:
            return manager.none()
        query = Q()
        for path in self.owner:
            query |= Q(**{path: user.pk})
        return manager.filter(query).distinct() if self._crosses_many() else manager.filter(query)

    def _crosses_many(self) -> bool:
        return any("__" in path for path in self.owner)


_registry: dict[str, Registration] = {}
_not_personal: dict[str, str] = {}
_loaded = False


def register(
    model: type[models.Model],
    *,
    owner: str | Iterable[str] | None,
    erase: Erase,
    export: Iterable[str] = (),
    clear: Iterable[str] | Mapping[str, Any] = (),
    actors: Iterable[str] = (),
    personal: Iterable[str] = (),
    retention: str = "",
    exporter: Callable[[Any], list[dict[str, Any]]] | None = None,
    eraser: Callable[[Any], int] | None = None,
) -> Registration:
    """Declare how ``model`` holds a person's data (see /docs/architecture.md, Privacy).

    ``owner``: ORM lookup path(s) from the model to the user whose rows these are.
    ``export``: the fields (or ``fk__field`` lookups) put in the person's download.
    ``erase``: what :func:`delete_account` does to the person's rows.
    ``clear``: fields blanked by UNLINK/ANONYMISE (a mapping gives explicit values).
    ``actors``: other links to the user that record a staff member acting; they stay,
    pointing at the anonymised tombstone.
    ``personal``: other fields holding a person's details (so they are accounted for).
    ``retention``: how rows not tied to an account are forgotten, in words.
    """
    owners = (owner,) if isinstance(owner, str) else tuple(owner or ())
    blanks = dict(clear) if isinstance(clear, Mapping) else dict.fromkeys(clear, _BLANK)
    registration = Registration(
        model=model,
        owner=owners,
        export=tuple(export),
        erase=Erase(erase),
        clear=blanks,
        actors=tuple(actors),
        personal=tuple(personal),
        retention=retention,
        exporter=exporter,
        eraser=eraser,
    )
    _registry[registration.label] = registration
    return registration


def not_personal(model: type[models.Model], *, reason: str) -> None:
    """Declare that ``model``'s name-like fields hold nothing about a resident."""
    if not reason:
        raise ValueError("Say why the model holds no personal data.")
    _not_personal[model._meta.label_lower] = reason


def ensure_loaded() -> None:
    """Import every app's ``privacy`` module (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from moothall.accounts import privacy_builtin  # noqa: F401  (third-party models)

    autodiscover_modules("privacy")


def registrations() -> list[Registration]:
    ensure_loaded()
    return list(_registry.values())


def exemptions() -> dict[str, str]:
    ensure_loaded()
    return dict(_not_personal)


# --- Export ---------------------------------------------------------------------------------


def _default_export(registration: Registration, user: Any) -> list[dict[str, Any]]:
    return list(registration.rows(user).order_by("pk").values("pk", *registration.export))


def export_personal_data(user: Any) -> dict[str, Any]:
    """Everything the site holds about ``user``, JSON-serialisable, grouped by model.

    Side effects: none (the view that serves it writes the audit entry)."""
    records: dict[str, list[dict[str, Any]]] = {}
    for registration in sorted(registrations(), key=lambda r: r.label):
        exporter = registration.exporter
        rows = exporter(user) if exporter else _default_export(registration, user)
        if rows:
            records[registration.label] = [
                {("id" if key == "pk" else key): plain(value) for key, value in row.items()}
                for row in rows
            ]
    return {
        "format": "moothall-personal-data/1",
        "generated_at": timezone.now().isoformat(),
        "user_id": user.pk,
        "records": records,
    }


# --- Erasure --------------------------------------------------------------------------------


def _blank(model: type[models.Model], name: str, value: Any) -> Any:
    if value is not _BLANK:
        return str(value) if isinstance(value, Promise) else value
    model_field: Any = model._meta.get_field(name)
    if isinstance(model_field, models.JSONField):
        default = model_field.get_default()
        return default if default is not None else ({} if not model_field.null else None)
    if model_field.null:
        return None
    if isinstance(model_field, models.CharField | models.TextField):
        return ""
    return model_field.get_default()


def _erase(registration: Registration, user: Any) -> int:
    if registration.eraser is not None:
        return registration.eraser(user)
    if registration.erase is Erase.KEEP or not registration.owner:
        return 0
    rows = registration.rows(user)
    if registration.erase is Erase.DELETE:
        deleted, _by_model = rows.delete()
        return deleted
    model = registration.model
    changes = {name: _blank(model, name, value) for name, value in registration.clear.items()}
    if registration.erase is Erase.UNLINK:
        changes.update({path: None for path in registration.owner if "__" not in path})
    if not changes:
        return 0
    # Update by primary key: an UPDATE cannot filter through a join on every database.
    ids = list(rows.values_list("pk", flat=True))
    return model._base_manager.filter(pk__in=ids).update(**changes) if ids else 0


_ORDER = {Erase.ANONYMISE: 0, Erase.UNLINK: 1, Erase.KEEP: 2, Erase.DELETE: 3}


class AccountDeletionRefused(Exception):
    """The account cannot be deleted by its owner (e.g. a platform administrator)."""


def tombstone_email(user: Any) -> str:
    return f"erased-{user.pk}@erased.invalid"


def delete_account(user: Any, *, actor: Any = None) -> dict[str, int]:
    """Delete ``user``'s account: their contributions stay, anonymised; their signatures,
    supports, ballots and votes stay counted but no longer lead to them.

    Side effects, in one transaction: every registered model's rows are erased as
    declared (roles revoked, emails, authenticators, subscriptions deleted…); the user row
    becomes an inactive tombstone (no email address, name, postcode or usable password),
    so every session it had stops signing anyone in (the password hash it carried changed
    and the account is inactive; the view signs the current one out);
    a confirmation email is queued to the old address; one audit entry
    ``accounts.delete_account`` (counts only, no personal data) and one
    ``accounts.role_ended_by_account_deletion`` per council where a role was held.
    Returns the number of rows touched per model."""
    from moothall.accounts.models import Role
    from moothall.core.audit import record
    from moothall.core.mail import queue_email

    if user.is_superuser:
        raise AccountDeletionRefused(
            _("A platform administrator's account must first lose that access.")
        )
    if getattr(user, "erased_at", None) is not None:
        return {}
    with transaction.atomic():
        user = get_user_model()._base_manager.select_for_update().get(pk=user.pk)
        old_address = user.email
        roles = list(Role.objects.filter(user=user).values_list("council_id", "kind"))
        counts: dict[str, int] = {}
        for registration in sorted(registrations(), key=lambda r: _ORDER[r.erase]):
            touched = _erase(registration, user)
            if touched:
                counts[registration.label] = touched
        user.email = tombstone_email(user)
        user.name = ""
        user.postcode = ""
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.last_login = None
        user.erased_at = timezone.now()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        by_self = actor is None or getattr(actor, "pk", None) == user.pk
        by_council: dict[int, list[str]] = {}
        for council_id, kind in roles:
            by_council.setdefault(council_id, []).append(kind)
        for council_id, kinds in sorted(by_council.items()):
            record(
                "accounts.role_ended_by_account_deletion",
                actor=user if by_self else actor,
                council=council_id and _council(council_id),
                target=user,
                kinds=sorted(kinds),
            )
        record(
            "accounts.delete_account",
            actor=user if by_self else actor,
            target=user,
            by_self=by_self,
            rows=counts,
        )
        queue_email(old_address, "accounts/email/account_deleted", {})
    return counts


def _council(council_id: int) -> Any:
    from moothall.councils.models import Council

    return Council.objects.get(pk=council_id)


__all__ = [
    "FORMER_PARTICIPANT",
    "AccountDeletionRefused",
    "Erase",
    "Registration",
    "delete_account",
    "ensure_loaded",
    "export_personal_data",
    "not_personal",
    "register",
]
