"""The shapes the API answers with. Field names are part of the public contract: keep them.

Text a council has not filled in is ``null``, never ``""``; dates are ISO 8601.
Every schema reads from model instances the queries have already loaded (with
their relations selected or prefetched), so serialising a page runs no queries.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import field_validator

from moothall.councils.models import Council, Councillor, TermOfOffice, Ward
from moothall.councils.queries import holds_office


def _text_or_none(value: str) -> str | None:
    return value or None


class CouncilRef(Schema):
    """A council named in another answer (a postcode's councils)."""

    slug: str
    name: str
    short_name: str
    tier: Council.Tier
    nation: Council.Nation
    url: str = Field(description="The council's page on this site (an absolute path).")
    api_url: str = Field(description="This council in the API (an absolute path).")

    @staticmethod
    def resolve_url(obj: Council) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Council) -> str:
        return reverse("api:council", kwargs={"slug": obj.slug})


class CouncilOut(CouncilRef):
    gss_code: str | None = Field(description="The ONS GSS code, e.g. E07000223.")
    parent: str | None = Field(
        description="The slug of the council this one lies within (a district's county)."
    )

    @staticmethod
    def resolve_parent(obj: Council) -> str | None:
        return obj.parent.slug if obj.parent is not None else None


class CouncilDetailOut(CouncilOut):
    children: list[str] = Field(description="Slugs of the councils that lie within this one.")
    ward_count: int
    councillor_count: int = Field(description="How many councillors hold office today.")

    @staticmethod
    def resolve_children(obj: Council) -> list[str]:
        return [child.slug for child in obj.children.all()]


class WardOut(Schema):
    slug: str
    name: str
    gss_code: str | None

    @staticmethod
    def resolve_gss_code(obj: Ward) -> str | None:
        return _text_or_none(obj.gss_code)


class WardRef(Schema):
    slug: str
    name: str


class PartyOut(Schema):
    slug: str
    name: str


class TermOut(Schema):
    start: dt.date | None
    end: dt.date | None = Field(description="null while the term is open.")

    @staticmethod
    def resolve_start(obj: TermOfOffice) -> dt.date | None:
        return obj.start_date

    @staticmethod
    def resolve_end(obj: TermOfOffice) -> dt.date | None:
        return obj.end_date


class ContactOut(Schema):
    """The contact details a councillor publishes for council work (never a home address)."""

    email: str | None
    phone: str | None
    address: str | None


class CouncillorOut(Schema):
    id: int
    name: str
    title: str | None
    current: bool = Field(description="Whether a term of office is open today.")
    party: PartyOut | None
    ward: WardRef | None
    key_posts: list[str]
    terms: list[TermOut]
    contact: ContactOut
    surgery_details: str | None
    photo_url: str | None
    url: str = Field(description="The councillor's page on this site (an absolute path).")
    api_url: str = Field(description="This councillor in the API (an absolute path).")

    @staticmethod
    def resolve_title(obj: Councillor) -> str | None:
        return _text_or_none(obj.title)

    @staticmethod
    def resolve_current(obj: Councillor) -> bool:
        return holds_office(obj)

    @staticmethod
    def resolve_key_posts(obj: Councillor) -> list[str]:
        return [post.title for post in obj.key_posts.all()]

    @staticmethod
    def resolve_terms(obj: Councillor) -> list[TermOfOffice]:
        return list(obj.terms.all())

    @staticmethod
    def resolve_contact(obj: Councillor) -> dict[str, str | None]:
        return {
            "email": _text_or_none(obj.work_email),
            "phone": _text_or_none(obj.work_phone),
            "address": _text_or_none(obj.work_address),
        }

    @staticmethod
    def resolve_surgery_details(obj: Councillor) -> str | None:
        return _text_or_none(obj.surgery_details)

    @staticmethod
    def resolve_photo_url(obj: Councillor) -> str | None:
        return _text_or_none(obj.photo_url)

    @staticmethod
    def resolve_url(obj: Councillor) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Councillor) -> str:
        return reverse("api:councillor", kwargs={"id": obj.pk})


class CouncillorDetailOut(CouncillorOut):
    council: CouncilRef


class RepresentationOut(Schema):
    council: CouncilRef
    ward: WardRef | None = Field(description="null when we know no ward of this council there.")
    councillors: list[CouncillorOut] = Field(description="The ward's current councillors.")


class PostcodeOut(Schema):
    postcode: str = Field(description="The postcode in its canonical form, e.g. SW1A 1AA.")
    representation: list[RepresentationOut] = Field(
        description="Every council serving the postcode, the widest area first."
    )


class ErrorOut(Schema):
    detail: str


class ValidationProblem(Schema):
    """One problem with a parameter, as pydantic reports it."""

    type: str = Field(description="A machine-readable kind, e.g. less_than_equal.")
    loc: list[str | int] = Field(description='Where: e.g. ["query", "limit"].')
    msg: str


class ValidationErrorOut(Schema):
    """A parameter out of range or of the wrong kind (status 422)."""

    detail: list[ValidationProblem]


class CouncilFilters(Schema):
    tier: Council.Tier | None = None
    nation: Council.Nation | None = None
    q: str | None = Field(
        None, max_length=200, description="Only councils whose name contains this text."
    )

    @field_validator("q")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        # PostgreSQL cannot hold a NUL character in a string, so it never matches a name.
        if value is not None and "\x00" in value:
            raise ValueError(gettext("The search text cannot contain a NUL character."))
        return value
