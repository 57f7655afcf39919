"""Refusing bad input in verbs: one field at a time, with a code the API can return.

Every app's verbs use these so a form, the API and a command get the same
messages. A refusal is a ``ValidationError`` keyed by field name, raised before
anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.db.models import QuerySet

MAX_REASON_LENGTH = 2000


def invalid(
    field: str, message: str, code: str, params: dict[str, Any] | None = None
) -> ValidationError:
    """A refusal of one field that keeps its code and parameters (for forms and the API)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def characters(value: str, field: str) -> str:
    """Refuse what no database stores: NUL and lone surrogates (JSON can carry both)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        ok = False
    else:
        ok = "\x00" not in value
    if not ok:
        raise invalid(field, _("Remove the characters that cannot be stored."), "bad_characters")
    return value


def text(value: str, field: str, *, required: bool = True, limit: int = 500) -> str:
    """``value`` stripped; refused when required and empty, or longer than ``limit``."""
    value = characters((value or "").strip(), field)
    if required and not value:
        raise invalid(field, _("This field is required."), "required")
    if len(value) > limit:
        raise invalid(field, _("Use %(limit)d characters or fewer."), "too_long", {"limit": limit})
    return value


# Characters that start a new line in a mail program or a text file.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def line(value: str, field: str, *, required: bool = True, limit: int = 500) -> str:
    """Like :func:`text`, for a one-line field (a name, a title, a subject): line breaks are
    refused, so nobody can lay out lines of their own in an email that quotes it."""
    value = text(value, field, required=required, limit=limit)
    if any(c in LINE_BREAKS for c in value):
        raise invalid(field, _("Write this on one line."), "line_break")
    return value


def reason(value: str, *, required: bool, field: str = "reason") -> str:
    """A reason given by staff (published or recorded): stripped, at most 2,000 characters."""
    value = characters((value or "").strip(), field)
    if required and not value:
        raise invalid(field, _("Enter a reason."), "reason_required")
    if len(value) > MAX_REASON_LENGTH:
        raise invalid(
            field,
            _("The reason must be %(limit)d characters or fewer."),
            "reason_too_long",
            {"limit": MAX_REASON_LENGTH},
        )
    return value


def unique_slug(
    siblings: QuerySet[Any], title: str, *, fallback: str, reserved: frozenset[str]
) -> str:
    """A web address made from ``title`` that none of ``siblings`` uses yet, and that is not
    one of the fixed paths in ``reserved`` (``fallback`` when the title gives none)."""
    base = slugify(title)[:70].strip("-") or fallback
    if base in reserved:
        base = f"{base}-{fallback}"
    slug, n = base, 2
    while siblings.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def free_slug(
    slug: str,
    siblings: QuerySet[Any],
    *,
    reserved: frozenset[str],
    current_pk: Any,
    taken_message: str,
) -> str:
    """``slug`` refused when it is a fixed path in ``reserved`` or another of ``siblings``
    (than the one with ``current_pk``) has it."""
    if slug in reserved:
        raise invalid(
            "slug", _("That address is used by the site itself; choose another."), "slug_reserved"
        )
    taken = siblings.filter(slug=slug)
    if current_pk:
        taken = taken.exclude(pk=current_pk)
    if taken.exists():
        raise invalid("slug", taken_message, "slug_taken")
    return slug
