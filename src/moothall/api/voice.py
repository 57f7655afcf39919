"""Community voice in the API: petitions (with live counts and the count by ward), the
obligations they create, ideas and needs; and signing a petition.

Reads show exactly what the public site shows. A petition is found only once it is
public (``Petition.is_public``): drafts, and petitions gathering sponsors or awaiting
moderation, are a 404 like an unknown id. Hearings, agenda links and decisions follow
the meetings' rules (nothing on an exempt item, only public decisions), and the
timelines hold only their public lines.

Signing is the second door onto the same verbs as the site: ``sign_petition`` (with the
client's internet address, for the quiet abuse flags), ``confirm_signature`` and
``withdraw_signature``. Signing answers 202 ``{"status": "confirmation_sent"}`` whether
or not the address had signed before. A refusal is JSON with a 4xx status: the body's
problems under ``detail`` with status 422 (``type`` is the verb's code, e.g.
``invalid_email``), or ``{"detail", "code"}`` with 409 when the petition no longer takes
signatures and 404 for an unknown link. The API has no accounts, so ideas are read-only
here: supporting and commenting need a signed-in person on the site.
"""

# No ``from __future__ import annotations`` here: ninja reads these signatures at
# import time and cannot resolve ``Query[...]`` from a string annotation.

from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ValidationError,
)
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from moothall.api.endpoints import _council_or_404
from moothall.api.pagination import LimitOffset
from moothall.api.schemas import ErrorOut, ValidationErrorOut
from moothall.api.voice_schemas import (
    PUBLIC_PETITION_STATUSES,
    CodedErrorOut,
    CouncilObligationOut,
    IdeaDetailOut,
    IdeaFilters,
    IdeaOut,
    ObligationFilters,
    PetitionDetailOut,
    PetitionFilters,
    PetitionOut,
    RefusalOut,
    SignatureAcceptedOut,
    SignatureIn,
    SignatureStatusOut,
    TokenIn,
)
from moothall.core.http import client_ip
from moothall.councils.models import Council, Topic, Ward
from moothall.ideas import queries as ideas
from moothall.ideas.models import Idea
from moothall.meetings.models import Decision
from moothall.petitions import domain as petitions
from moothall.petitions.models import (
    Hearing,
    Obligation,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
)

petitions_router = Router()
ideas_router = Router()

PUBLIC_ONLY = (
    "Public data only, as the site shows it: drafts and petitions still gathering sponsors "
    "or awaiting moderation never appear, and no signer's, supporter's or commenter's "
    "contact details are given."
)


def _described(text: str) -> str:
    return f"{text}\n\n{PUBLIC_ONLY}"


# --- Refusals -----------------------------------------------------------------------------

# Codes of refusals that are about a link rather than the petition's state.
_NOT_FOUND_CODES = frozenset({"unknown_token"})


def _refused(error: ValidationError, body: str = "") -> Status[dict[str, Any]]:
    """A verb's refusal as the API answers it (the verb wrote nothing). A field's problem
    is placed as ninja places the body's own (``["body", <parameter>, <field>]``), so a
    client reads both kinds of 422 the same way."""
    where = ["body", body] if body else ["body"]
    if hasattr(error, "error_dict"):
        problems = [
            {
                "type": problem.code or "invalid",
                "loc": where if field == NON_FIELD_ERRORS else [*where, field],
                "msg": message,
            }
            for field, errors in error.error_dict.items()
            for problem in errors
            for message in problem.messages
        ]
        return Status(422, {"detail": problems})
    code = next((e.code for e in error.error_list if e.code), None) or "invalid"
    status = 404 if code in _NOT_FOUND_CODES else 409
    return Status(status, {"detail": " ".join(error.messages), "code": code})


# --- Petitions --------------------------------------------------------------------------


class PetitionPage(LimitOffset):
    """Limit/offset, and the page's live counts added up in one query
    (``petitions.domain.live_counts``)."""

    def paginate_queryset(
        self, queryset: QuerySet[Petition], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page["items"])
        counts = petitions.live_counts(items)
        for petition in items:
            petition.public_live_count = counts[petition.pk]
        return {**page, "items": items}


def public_petitions(council: Council) -> QuerySet[Petition]:
    return Petition.objects.filter(
        council=council, status__in=PUBLIC_PETITION_STATUSES
    ).select_related("council", "topic", "ward")


def _petition_or_404(council: Council, id: int) -> Petition:
    petition = public_petitions(council).filter(pk=id).first()
    if petition is None:
        raise Http404(
            gettext("%(council)s has no petition %(id)s.")
            % {"council": council.short_name, "id": id}
        )
    return petition


@petitions_router.get(
    "/councils/{slug:slug}/petitions",
    response={200: list[PetitionOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_petitions",
    operation_id="list_council_petitions",
    summary="A council's petitions, the latest published first, with their live counts",
    description=_described(
        "Open, closed, responded, debated and rejected petitions, filtered by status, "
        "topic and ward. live_count counts confirmed and paper signatures, now."
    ),
    tags=["petitions"],
)
@paginate(PetitionPage)
def list_council_petitions(
    request: HttpRequest, slug: str, filters: Query[PetitionFilters]
) -> QuerySet[Petition]:
    council = _council_or_404(slug)
    found = public_petitions(council)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.topic:
        found = found.filter(topic__slug=filters.topic)
    if filters.ward:
        found = found.filter(ward__slug=filters.ward)
    return found.order_by(F("opened_at").desc(nulls_last=True), "-created_at", "-pk")


def _public_hearings(petition: Petition) -> list[Hearing]:
    hearings = list(
        Hearing.objects.filter(petition=petition, agenda_item__is_exempt=False)
        .select_related(
            "agenda_item__meeting__body",
            "agenda_item__meeting__council",
        )
        .order_by("created_at", "pk")
    )
    wanted = [h.decision_id for h in hearings if h.decision_id]
    decisions = (
        Decision.objects.public().select_related("council").in_bulk(wanted) if wanted else {}
    )
    for hearing in hearings:
        hearing.public_decision = decisions.get(hearing.decision_id)  # type: ignore[attr-defined]
    return hearings


def _public_timeline(petition: Petition, hearings: list[Hearing]) -> list[PetitionEvent]:
    """The public lines, less those about a hearing on an item since made exempt, or about
    a decision that is not public (as the meetings' timelines do)."""
    events = list(petition.events.filter(is_public=True).order_by("created_at", "pk"))
    shown_hearings = {h.pk for h in hearings}
    named = {
        e.details.get("decision")
        for e in events
        if isinstance(e.details, dict) and isinstance(e.details.get("decision"), int)
    }
    public_decisions = (
        set(Decision.objects.public().filter(pk__in=named).values_list("pk", flat=True))
        if named
        else set()
    )

    def shown(event: PetitionEvent) -> bool:
        details = event.details if isinstance(event.details, dict) else {}
        hearing = details.get("hearing")
        if hearing is not None and hearing not in shown_hearings:
            return False
        decision = details.get("decision")
        return decision is None or decision in public_decisions

    return [event for event in events if shown(event)]


@petitions_router.get(
    "/councils/{slug:slug}/petitions/{int:id}",
    response={200: PetitionDetailOut, 404: ErrorOut},
    url_name="petition",
    operation_id="get_petition",
    summary="One petition: its live count by ward, obligations, hearings, response, timeline",
    description=_described(
        "A draft, or a petition gathering sponsors or awaiting moderation, is not found "
        "(404). A rejected petition stays, with its published reason."
    ),
    tags=["petitions"],
)
def get_petition(request: HttpRequest, slug: str, id: Path[int]) -> Petition:
    petition = _petition_or_404(_council_or_404(slug), id)
    hearings = _public_hearings(petition)
    petition.public_live_count = petitions.live_count(petition)  # type: ignore[attr-defined]
    # Largest first; among equal counts, wards by name and then "no ward" (the same order
    # on every database: they sort a null ward differently).
    petition.public_count_by_ward = sorted(  # type: ignore[attr-defined]
        petitions.count_by_ward(petition),
        key=lambda row: (-row[1], row[0] is None, row[0].name if row[0] is not None else ""),
    )
    petition.public_scheme = PetitionScheme.for_council(petition.council)  # type: ignore[attr-defined]
    petition.public_obligations = list(  # type: ignore[attr-defined]
        petition.obligations.select_related("owner").order_by("due_on", "pk")
    )
    petition.public_hearings = hearings  # type: ignore[attr-defined]
    petition.public_timeline = _public_timeline(petition, hearings)  # type: ignore[attr-defined]
    return petition


# The one answer to a signature taken. An instance of the response's schema is only dumped
# by ninja, not validated again.
_ACCEPTED = SignatureAcceptedOut(status="confirmation_sent")


@petitions_router.post(
    "/councils/{slug:slug}/petitions/{int:id}/signatures",
    response={
        202: SignatureAcceptedOut,
        400: ErrorOut,
        404: ErrorOut,
        409: CodedErrorOut,
        422: RefusalOut,
    },
    url_name="petition_signatures",
    operation_id="sign_petition",
    summary="Sign a petition: the signature counts once the emailed link is followed",
    description=(
        "The same rules as the site: the council's scheme says who may sign (basis), "
        "someone who lives in the area needs a postcode there, the declaration must be "
        "true, and one person signs once (email addresses are compared in one form: case, "
        "+tags and Gmail's dots do not make a new person). The answer is always 202 "
        '{"status": "confirmation_sent"} for a signature that could be taken: an address '
        "that signed before is emailed again (its link, or word that it already counts), "
        "never told here. Refusals: 422 with each problem's code under detail[].type "
        "(e.g. invalid_email, invalid_postcode, postcode_outside, invalid_basis, "
        "declaration_required, required, too_long, bad_characters), 409 "
        '{"detail", "code": "not_open"} when the petition is not taking signatures, '
        "404 for a petition that is not public, 400 for a body that is not JSON. Nothing "
        "is written when a request is refused."
    ),
    tags=["petitions"],
)
def sign_petition(
    request: HttpRequest, slug: str, id: Path[int], signature: SignatureIn
) -> Status[SignatureAcceptedOut] | Status[dict[str, Any]]:
    # The verb finds the petition itself (by council and id, public ones only), once.
    try:
        petitions.sign_petition(
            petitions.PetitionRef(slug, id),
            name=signature.name,
            email=signature.email,
            postcode=signature.postcode,
            basis=str(signature.basis),
            declaration=signature.declaration,
            ip_address=client_ip(request),
            wants_updates=signature.wants_updates,
        )
    except ValidationError as error:
        return _refused(error, body="signature")
    except Petition.DoesNotExist:
        _petition_or_404(_council_or_404(slug), id)  # the 404 that says which is unknown
        raise Http404 from None  # made public since: the client may try again
    return Status(202, _ACCEPTED)


def _answer(signature: Signature, status: str) -> Status[dict[str, Any]]:
    petition = Petition.objects.select_related("council").get(pk=signature.petition_id)
    # A sponsor confirms before the petition is public: it is not named here.
    return Status(200, {"status": status, "petition": petition if petition.is_public else None})


@petitions_router.post(
    "/signatures/confirm",
    response={
        200: SignatureStatusOut,
        400: ErrorOut,
        404: CodedErrorOut,
        409: CodedErrorOut,
        422: RefusalOut,
    },
    url_name="signature_confirm",
    operation_id="confirm_signature",
    summary="Confirm a signature with the token from its emailed link",
    description=(
        "The same as following the link: the signature now counts. Doing it twice changes "
        'nothing. 404 {"code": "unknown_token"} for a token we did not make; 409 '
        '{"code": "not_open"} when the petition stopped taking signatures first.'
    ),
    tags=["petitions"],
)
def confirm_signature(request: HttpRequest, link: TokenIn) -> Status[dict[str, Any]]:
    try:
        signature = petitions.confirm_signature(link.token)
    except ValidationError as error:
        return _refused(error)
    withdrawn = signature.status == Signature.Status.WITHDRAWN
    return _answer(signature, "withdrawn" if withdrawn else "confirmed")


@petitions_router.post(
    "/signatures/withdraw",
    response={
        200: SignatureStatusOut,
        400: ErrorOut,
        404: CodedErrorOut,
        409: CodedErrorOut,
        422: RefusalOut,
    },
    url_name="signature_withdraw",
    operation_id="withdraw_signature",
    summary="Withdraw a signature with the token from its emailed link",
    description=(
        "While the petition is open: the signature stops counting (it may be given again "
        'later). 404 {"code": "unknown_token"}; 409 {"code": "closed"} once the petition '
        "has closed."
    ),
    tags=["petitions"],
)
def withdraw_signature(request: HttpRequest, link: TokenIn) -> Status[dict[str, Any]]:
    try:
        signature = petitions.withdraw_signature(link.token)
    except ValidationError as error:
        return _refused(error)
    return _answer(signature, "withdrawn")


# --- Obligations ------------------------------------------------------------------------


@petitions_router.get(
    "/councils/{slug:slug}/obligations",
    response={200: list[CouncilObligationOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_obligations",
    operation_id="list_council_obligations",
    summary="What a council owes petitions: responses, hearings and debates, by deadline",
    description=_described(
        "Soonest deadline first. open=true for those not yet fulfilled, overdue=true for "
        "those past their deadline and still unfulfilled."
    ),
    tags=["obligations"],
)
@paginate(LimitOffset)
def list_council_obligations(
    request: HttpRequest, slug: str, filters: Query[ObligationFilters]
) -> QuerySet[Obligation]:
    council = _council_or_404(slug)
    found = Obligation.objects.filter(
        council=council, petition__status__in=PUBLIC_PETITION_STATUSES
    ).select_related("owner", "petition__council")
    if filters.open is not None:
        found = found.filter(fulfilled_at__isnull=filters.open)
    if filters.overdue is True:
        found = found.overdue()
    elif filters.overdue is False:
        found = found.filter(Q(fulfilled_at__isnull=False) | Q(due_on__gte=timezone.localdate()))
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return found.order_by("due_on", "pk")


# --- Ideas ------------------------------------------------------------------------------


def _idea_or_404(council: Council, id: int) -> Idea:
    idea = (
        ideas.visible_ideas(council)
        .filter(pk=id)
        .select_related("council", "topic", "ward", "author", "merged_into")
        .first()
    )
    if idea is None:
        raise Http404(
            gettext("%(council)s has no idea %(id)s.") % {"council": council.short_name, "id": id}
        )
    return idea


@ideas_router.get(
    "/councils/{slug:slug}/ideas",
    response={200: list[IdeaOut], 404: ErrorOut, 422: ValidationErrorOut},
    url_name="council_ideas",
    operation_id="list_council_ideas",
    summary="A council's ideas and needs, filtered by topic, ward, status and kind",
    description=_described(
        "Newest first, or sort=supported (most supporters first) or sort=active (most "
        "recently active first). Ideas merged into another are not listed (their "
        "supporters count on the idea they were merged into). Read-only: supporting and "
        "commenting need a signed-in person on the site."
    ),
    tags=["ideas"],
)
@paginate(LimitOffset)
def list_council_ideas(
    request: HttpRequest, slug: str, filters: Query[IdeaFilters]
) -> QuerySet[Idea]:
    council = _council_or_404(slug)
    topic = ward = None
    if filters.topic:
        topic = Topic.objects.filter(council=council, slug=filters.topic).first()
        if topic is None:  # a topic we do not know: nothing matches
            return Idea.objects.none()
    if filters.ward:
        ward = Ward.objects.filter(council=council, slug=filters.ward).first()
        if ward is None:
            return Idea.objects.none()
    chosen = ideas.Filters(
        topic=topic,
        ward=ward,
        status=str(filters.status or ""),
        kind=str(filters.kind or ""),
        sort=str(filters.sort),
    )
    return ideas.listed_ideas(council, chosen).select_related("council", "author")


@ideas_router.get(
    "/councils/{slug:slug}/ideas/{int:id}",
    response={200: IdeaDetailOut, 404: ErrorOut},
    url_name="idea",
    operation_id="get_idea",
    summary="One idea: responses, agenda links and decisions, timeline and comments",
    description=_described(
        "Comments come oldest first, each reply naming its parent. A comment removed by a "
        "moderator stays as a placeholder (body null) with the published reason; one "
        "waiting for a moderator to check it is not shown. An idea merged into another is "
        "found, with merged_into naming that idea."
    ),
    tags=["ideas"],
)
def get_idea(request: HttpRequest, slug: str, id: Path[int]) -> Idea:
    idea = _idea_or_404(_council_or_404(slug), id)
    idea.public_merged_from = list(idea.merged_from.order_by("created_at", "id"))  # type: ignore[attr-defined]
    idea.public_images = list(  # type: ignore[attr-defined]
        idea.images.select_related("idea__council").order_by("created_at", "id")
    )
    idea.public_responses = ideas.responses_of(idea)  # type: ignore[attr-defined]
    idea.public_agenda_links = ideas.public_agenda_links(idea)  # type: ignore[attr-defined]
    idea.public_timeline = ideas.public_timeline(idea)  # type: ignore[attr-defined]
    idea.public_comments = list(  # type: ignore[attr-defined]
        idea.comments.filter(awaiting_moderation=False)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return idea
