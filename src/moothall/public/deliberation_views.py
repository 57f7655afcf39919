"""Taking part in a deliberation: the conversations, one conversation with its voting card,
adding a statement, the optional "about you" questions, and changing earlier votes.

Thin views: fetch the conversation (404 unless ``rules.refusal(..., Step.VIEW)`` allows it,
so drafts are only for staff), check the form, call one verb from
:mod:`moothall.deliberation.domain`, then redirect (or, for HTMX, swap the voting card in
place). What a person may not do is said in words (``rules.refusal``), with the way
forward (sign in, add a postcode). Everything works without JavaScript: each vote is a
plain form with three submit buttons.

Anonymous participants (where the council lets anyone take part) are remembered in the
session, keyed by conversation. Someone who took part anonymously and then signs in keeps
that participant, unless their account already took part here
(``domain.claim_participant``: votes are not merged).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.residents import remember_eligibility
from moothall.core.forms import add_verb_errors
from moothall.core.text import render_markdown
from moothall.councils.models import Council
from moothall.deliberation import domain, rules
from moothall.deliberation.models import Conversation, Participant, Statement, Status, Vote
from moothall.deliberation.rules import Step
from moothall.public.deliberation_forms import AboutYouForm, StatementForm, VoteForm

SESSION_PARTICIPANTS = "deliberation_participants"  # {conversation id: participant id}
SESSION_SAVED = "deliberation_saved"  # the last vote's confirmation, shown once on the card


# --- Fetching ------------------------------------------------------------------------------


def _conversation(
    request: HttpRequest, council: str, slug: str, *, counted: bool = False
) -> Conversation:
    """The conversation, if this person may see it (drafts: staff only); ``counted``: with
    its ``participant_count``, in the same query."""
    rows = Conversation.objects.select_related("council")
    if counted:
        rows = rows.annotate(participant_count=_count(Participant.objects.all()))
    found = get_object_or_404(rows, council__slug=council, slug=slug)
    if rules.refusal(request.user, found, Step.VIEW) is not None:
        raise Http404
    remember_eligibility(request.user)  # asked once per request, however many steps
    return found


def _anonymous_participant(conversation: Conversation, known: Any) -> Participant | None:
    try:
        pk = int(known)
    except (TypeError, ValueError):
        return None
    return (
        Participant.objects.filter(pk=pk, conversation=conversation, user__isnull=True)
        .order_by()
        .first()
    )


def _participant(request: HttpRequest, conversation: Conversation) -> Participant | None:
    """This person's participant in ``conversation``, if they have joined. On the first
    request after signing in, the participant this browser took part as anonymously
    becomes the account's (unless the account already has one here)."""
    known = request.session.get(SESSION_PARTICIPANTS, {}).get(str(conversation.pk))
    if not request.user.is_authenticated:
        return None if known is None else _anonymous_participant(conversation, known)
    if known is None:
        return domain.participant_of(conversation, request.user)
    left = dict(request.session[SESSION_PARTICIPANTS])
    left.pop(str(conversation.pk), None)
    request.session[SESSION_PARTICIPANTS] = left
    return domain.claim_participant(
        conversation,
        user=request.user,
        participant=_anonymous_participant(conversation, known),
    )


def _join(request: HttpRequest, conversation: Conversation, **about: Any) -> Participant:
    """This person's participant, joining them first if need be (refused: StepRefused)."""
    found = _participant(request, conversation)
    if found is not None:
        return found
    user = request.user if request.user.is_authenticated else None
    joined = domain.join(conversation, user=user, **about)
    if user is None:
        known = dict(request.session.get(SESSION_PARTICIPANTS, {}))
        known[str(conversation.pk)] = joined.pk
        request.session[SESSION_PARTICIPANTS] = known
    return joined


def _url(name: str, conversation: Conversation) -> str:
    return reverse(
        f"public:{name}", kwargs={"council": conversation.council.slug, "slug": conversation.slug}
    )


def _report_url(conversation: Conversation) -> str | None:
    """The report page's address (another part of the site; absent until it exists)."""
    try:
        return _url("conversation_report", conversation)
    except NoReverseMatch:
        return None


def _sign_in_url(request: HttpRequest, next_url: str) -> str:
    return reverse("account_login") + "?" + urlencode({"next": next_url})


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refusal_context(
    request: HttpRequest, conversation: Conversation, step: Step
) -> dict[str, Any]:
    why = rules.refusal(request.user, conversation, step)
    return {
        "refusal": why,
        "sign_in_url": _sign_in_url(request, conversation.get_absolute_url())
        if why and rules.needs_sign_in(request.user, conversation)
        else "",
        "account": bool(why and request.user.is_authenticated),
    }


# --- Words -----------------------------------------------------------------------------------


def _saved_words(value: int, number: int) -> str:
    if value == Vote.AGREE:
        return gettext("Saved: you agreed with statement %(number)d.") % {"number": number}
    if value == Vote.DISAGREE:
        return gettext("Saved: you disagreed with statement %(number)d.") % {"number": number}
    return gettext("Saved: you passed on statement %(number)d.") % {"number": number}


def _status_words(conversation: Conversation) -> str:
    why = rules.closed_refusal(conversation)
    if why is None:
        return gettext("Open: vote on statements and add your own.")
    return why


# --- The voting card ---------------------------------------------------------------------------


def _card(
    request: HttpRequest,
    conversation: Conversation,
    participant: Participant | None,
    *,
    problem: str = "",
) -> dict[str, Any]:
    """What the voting card shows: one statement, three buttons, progress, a confirmation."""
    refusal = _refusal_context(request, conversation, Step.TAKE_PART)
    saved = request.session.pop(SESSION_SAVED, None)
    saved_words = saved[1] if saved and saved[0] == conversation.pk else ""
    if participant is not None:
        statement = domain.next_statement(participant, conversation=conversation)
    else:
        statement = domain.first_statement(conversation)
    voted, total = domain.progress(participant, conversation)
    return {
        "conversation": conversation,
        "council": conversation.council,
        "statement": statement if refusal["refusal"] is None else None,
        "voted": voted,
        "total": total,
        "saved": saved_words,
        "problem": problem,
        "vote_url": _url("conversation_vote", conversation),
        "votes_url": _url("conversation_votes", conversation),
        **refusal,
    }


def _render_card(
    request: HttpRequest, conversation: Conversation, participant: Participant | None, **kw: Any
) -> HttpResponse:
    """The card alone, for HTMX to swap in; focus moves to its Agree button."""
    context = {**_card(request, conversation, participant, **kw), "autofocus": True}
    return render(request, "public/deliberations/take_part_card.html", context)


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many of ``rows`` belong to the conversation, as a subquery (joining both
    participants and statements would multiply the rows)."""
    counted = Subquery(
        rows.filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    return Coalesce(counted, 0)


# --- Pages -------------------------------------------------------------------------------------


@require_safe
def conversations(request: HttpRequest, council: str) -> HttpResponse:
    here = get_object_or_404(Council, slug=council)
    shown = (
        Conversation.objects.filter(council=here, status__in=[Status.OPEN, Status.CLOSED])
        .annotate(
            participant_count=_count(Participant.objects.all()),
            statement_count=_count(Statement.objects.filter(state=Statement.State.ACCEPTED)),
        )
        .order_by("-status", "-opened_at", "-pk")  # "open" before "closed", newest first
    )
    rows = list(shown)
    for row in rows:
        row.council = here
    return render(
        request,
        "public/deliberations/list.html",
        {
            "council": here,
            "open_rows": [r for r in rows if r.status == Status.OPEN],
            "closed_rows": [r for r in rows if r.status == Status.CLOSED],
        },
    )


@require_safe
def conversation(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _conversation(request, council, slug, counted=True)
    participant = _participant(request, found)
    card = _card(request, found, participant)
    can_add = rules.allowed(request.user, found, Step.ADD_STATEMENT)
    about_missing = bool(
        found.ask_about_you
        and (
            participant is None
            or (participant.ward_id is None and not participant.age_band and not participant.sex)
        )
    )
    context = {
        **card,
        "description": render_markdown(found.description) if found.description else "",
        "status_words": _status_words(found),
        "taking_part": rules.taking_part(found),
        "participant": participant,
        "participant_count": getattr(found, "participant_count", 0),
        "report_url": _report_url(found)
        if rules.allowed(request.user, found, Step.SEE_REPORT)
        else None,
        "statement_form": StatementForm(conversation=found) if can_add else None,
        "statement_url": _url("conversation_statement_new", found),
        "about_you_url": _url("conversation_about_you", found) if found.ask_about_you else "",
        "about_missing": about_missing,
        "pre_moderated": found.moderation == "pre",
        "is_staff": rules.is_staff_for(request.user, found),
    }
    return render(request, "public/deliberations/conversation.html", context)


@require_POST
def vote(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    """Cast (or change) one vote. Without JavaScript: back to the card (or the list of
    one's votes); with HTMX: the next card, swapped in place."""
    found = _conversation(request, council, slug)
    htmx = _is_htmx(request)
    back = _url("conversation_votes", found) if request.POST.get("next") == "votes" else None
    page = back or found.get_absolute_url() + "#voting-card"
    if rules.needs_sign_in(request.user, found):
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = _sign_in_url(request, found.get_absolute_url())
            return response
        return redirect_to_login(found.get_absolute_url())

    def refuse(message: str) -> HttpResponse:
        if htmx:
            return _render_card(request, found, _participant(request, found), problem=message)
        messages.error(request, message)
        return redirect(page)

    form = VoteForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return refuse(str(first))
    statement = (
        Statement.objects.filter(conversation=found, pk=form.cleaned_data["statement"])
        .order_by()
        .first()
    )
    if statement is None:
        return refuse(gettext("That statement is not in this conversation."))
    value = int(form.cleaned_data["value"])
    try:
        participant = _join(request, found)
        domain.cast_vote(participant, statement, value)
    except domain.StepRefused as error:
        return refuse(error.message)
    except ValidationError as error:
        return refuse(" ".join(error.messages))
    request.session[SESSION_SAVED] = (found.pk, _saved_words(value, statement.number))
    if htmx and back is None:
        return _render_card(request, found, participant)
    return redirect(page)


@require_http_methods(["GET", "HEAD", "POST"])
def statement_new(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _conversation(request, council, slug)
    if request.method == "POST" and rules.needs_sign_in(request.user, found):
        return redirect_to_login(request.get_full_path())
    refusal = _refusal_context(request, found, Step.ADD_STATEMENT)
    form = StatementForm(request.POST if request.method == "POST" else None, conversation=found)
    if refusal["refusal"] is None and request.method == "POST" and form.is_valid():
        try:
            author = _join(request, found)
            written = domain.add_statement(found, text=form.cleaned_data["text"], author=author)
        except domain.StepRefused as error:
            refusal = {**refusal, "refusal": error.message}
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            if written.state == Statement.State.PENDING:
                messages.success(
                    request,
                    gettext(
                        "Thank you. Your statement will be shown once a moderator has checked it."
                    ),
                )
            else:
                messages.success(request, gettext("Thank you. Your statement has been added."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "public/deliberations/take_part_statement.html",
        {
            "conversation": found,
            "council": found.council,
            "form": form,
            "pre_moderated": found.moderation == "pre",
            "refused_on_post": bool(refusal["refusal"]) and request.method == "POST",
            **refusal,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def about_you(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found = _conversation(request, council, slug)
    if not found.ask_about_you:
        raise Http404
    if request.method == "POST" and rules.needs_sign_in(request.user, found):
        return redirect_to_login(request.get_full_path())
    refusal = _refusal_context(request, found, Step.TAKE_PART)
    participant = _participant(request, found)
    initial = {}
    if participant is not None:
        initial = {
            "ward": str(participant.ward_id or ""),
            "age_band": participant.age_band,
            "sex": participant.sex,
        }
    form = AboutYouForm(
        request.POST if request.method == "POST" else None,
        council=found.council,
        initial=initial,
    )
    if refusal["refusal"] is None and request.method == "POST" and form.is_valid():
        try:
            if participant is None:
                _join(request, found, **form.answers())
            else:
                domain.set_about_you(participant, **form.answers())
        except domain.StepRefused as error:
            refusal = {**refusal, "refusal": error.message}
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            messages.success(request, gettext("Thank you. Your answers are saved."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "public/deliberations/take_part_about_you.html",
        {
            "conversation": found,
            "council": found.council,
            "form": form,
            "refused_on_post": bool(refusal["refusal"]) and request.method == "POST",
            **refusal,
        },
    )


@require_safe
def your_votes(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    """This person's votes, each with buttons to change it while the conversation is open."""
    found = _conversation(request, council, slug)
    participant = _participant(request, found)
    rows = domain.votes_of(participant) if participant is not None else []
    saved = request.session.pop(SESSION_SAVED, None)
    return render(
        request,
        "public/deliberations/take_part_votes.html",
        {
            "conversation": found,
            "council": found.council,
            "participant": participant,
            "rows": rows,
            "saved": saved[1] if saved and saved[0] == found.pk else "",
            "taking_part": rules.taking_part(found),
            "vote_url": _url("conversation_vote", found),
            "shown": Statement.State.ACCEPTED,
        },
    )
