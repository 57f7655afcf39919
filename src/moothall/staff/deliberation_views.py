"""The deliberation back-office, at /<council>/staff/deliberations/.

Officers and council admins (``Action.MANAGE_CONSULTATIONS``) create a conversation, set
how it runs, write seed statements, open and close it and recompute its analysis;
every staff role (``Action.MODERATE``) works the moderation queue: show or remove
participants' statements, with a reason when removing.

Each view is thin: fetch the council through
:func:`moothall.accounts.access.get_council_for` (404 for an unknown council, 403 for
someone who may not act there), fetch the conversation scoped to it (404 otherwise),
check a form from :mod:`moothall.staff.deliberation_forms`, call one verb from
:mod:`moothall.deliberation.domain`, then add a message and redirect. A verb's refusal
(``StepRefused`` or ``ValidationError``) comes back into the form and its error summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action, can
from moothall.core.audit import record
from moothall.core.forms import add_verb_errors
from moothall.councils.models import Council
from moothall.deliberation import domain, rules
from moothall.deliberation.domain import StepRefused
from moothall.deliberation.models import (
    Analysis,
    Conversation,
    Participant,
    Statement,
    Status,
    Vote,
)
from moothall.staff import deliberation_forms as df

logger = logging.getLogger(__name__)

S = Statement.State
PER_PAGE = 50


# --- Fetching what a person may act on ------------------------------------------------------


def _conversation(
    request: HttpRequest, slug: str, conversation_id: int, action: Action
) -> tuple[Council, Conversation]:
    here = get_council_for(request.user, slug, action)
    found = Conversation.objects.filter(council=here, pk=conversation_id).first()
    if found is None:
        raise Http404("No such conversation.")
    found.council = here  # already loaded: saves a query per use
    return here, found


def _url(name: str, conversation: Conversation, **kwargs: Any) -> str:
    return reverse(
        f"staff:{name}",
        kwargs={
            "council": conversation.council.slug,
            "conversation_id": conversation.pk,
            **kwargs,
        },
    )


def _attempt(
    form: forms.BaseForm, call: Callable[[], Any], aliases: dict[str, str] | None = None
) -> tuple[bool, Any]:
    """Run a verb; on a refusal put its message into ``form`` and return (False, None)."""
    try:
        return True, call()
    except StepRefused as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        if aliases and hasattr(error, "error_dict"):
            error = ValidationError(
                {aliases.get(name, name): errors for name, errors in error.error_dict.items()}
            )
        add_verb_errors(form, error)
    return False, None


def _public_url(name: str, conversation: Conversation) -> str | None:
    try:
        return reverse(
            f"public:{name}",
            kwargs={"council": conversation.council.slug, "slug": conversation.slug},
        )
    except NoReverseMatch:
        return None


def _ctx(here: Council, conversation: Conversation | None = None, **extra: Any) -> dict[str, Any]:
    return {"council": here, "conversation": conversation, **extra}


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many of ``rows`` belong to the conversation (a subquery: joins would multiply)."""
    counted = Subquery(
        rows.filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    return Coalesce(counted, 0)


# --- Conversations ----------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def conversations(request: HttpRequest, council: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.MODERATE)
    rows = list(
        Conversation.objects.filter(council=here)
        .annotate(
            waiting=_count(Statement.objects.filter(state=S.PENDING)),
            participant_count=_count(Participant.objects.all()),
        )
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "staff/deliberations/list.html",
        _ctx(here, rows=rows, manages=can(request.user, Action.MANAGE_CONSULTATIONS, here)),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_new(request: HttpRequest, council: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    form = df.ConversationForm(
        request.POST if request.method == "POST" else None,
        initial=df.ConversationForm.initial_for(Conversation(council=here, allow_statements=True)),
    )
    if form.is_valid():
        changes = form.changes()
        ok, made = _attempt(
            form,
            lambda: domain.create_conversation(
                here, by=request.user, title=changes.pop("title"), **changes
            ),
            df.ALIASES,
        )
        if ok:
            made.council = here
            messages.success(
                request,
                _("“%(title)s” is created. Add seed statements, then open it.")
                % {"title": made.title},
            )
            return redirect(_url("conversation_statements", made))
    return render(request, "staff/deliberations/form.html", _ctx(here, form=form))


@never_cache
@login_required
@require_safe
def conversation(request: HttpRequest, council: str, conversation_id: int) -> HttpResponse:
    here, found = _conversation(request, council, conversation_id, Action.MODERATE)
    by_state = dict(
        Statement.objects.filter(conversation=found)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    analysis = (
        Analysis.objects.filter(conversation=found, mode=found.mode)
        .defer("data")
        .order_by()
        .first()
    )
    return render(
        request,
        "staff/deliberations/conversation.html",
        _ctx(
            here,
            found,
            manages=rules.manages(request.user, found),
            participants=Participant.objects.filter(conversation=found).count(),
            votes=Vote.objects.filter(conversation=found).count(),
            pending=by_state.get(S.PENDING, 0),
            shown=by_state.get(S.ACCEPTED, 0),
            removed=by_state.get(S.REJECTED, 0),
            analysis=analysis,
            public_url=_public_url("conversation", found),
            report_url=_public_url("conversation_report", found),
            status_words=rules.closed_refusal(found) or _("Open: people can take part now."),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_edit(request: HttpRequest, council: str, conversation_id: int) -> HttpResponse:
    here, found = _conversation(request, council, conversation_id, Action.MANAGE_CONSULTATIONS)
    form = df.ConversationForm(
        request.POST if request.method == "POST" else None,
        initial=df.ConversationForm.initial_for(found),
    )
    if form.is_valid():
        ok, _saved = _attempt(
            form,
            lambda: domain.update_conversation(found, by=request.user, **form.changes()),
            df.ALIASES,
        )
        if ok:
            messages.success(request, _("The conversation is saved."))
            return redirect(_url("conversation", found))
    return render(request, "staff/deliberations/form.html", _ctx(here, found, form=form))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_status(request: HttpRequest, council: str, conversation_id: int) -> HttpResponse:
    """Open (or reopen) or close the conversation, after a confirmation page."""
    here, found = _conversation(request, council, conversation_id, Action.MANAGE_CONSULTATIONS)
    to = Status.CLOSED if found.status == Status.OPEN else Status.OPEN
    problem = ""
    if request.method == "POST":
        try:
            if to == Status.OPEN:
                domain.open_conversation(found, by=request.user)
                messages.success(request, _("The conversation is open."))
            else:
                domain.close_conversation(found, by=request.user)
                messages.success(request, _("The conversation is closed."))
        except (StepRefused, ValidationError) as error:
            problem = error.message if isinstance(error, StepRefused) else " ".join(error.messages)
        else:
            return redirect(_url("conversation", found))
    return render(
        request,
        "staff/deliberations/status.html",
        _ctx(
            here,
            found,
            to=to,
            problem=problem,
            shown=Statement.objects.filter(conversation=found, state=S.ACCEPTED).count(),
        ),
    )


@never_cache
@login_required
@require_POST
def conversation_recompute(
    request: HttpRequest, council: str, conversation_id: int
) -> HttpResponse:
    """Recompute the analysis now (the staff member waits for it)."""
    here, found = _conversation(request, council, conversation_id, Action.MANAGE_CONSULTATIONS)
    try:
        analysis = domain.run_analysis(found)
    except Exception:  # the engine failing must not cost the officer a 500 page
        logger.exception("recomputing conversation %s failed", found.pk)
        messages.error(request, _("The analysis could not be computed. Please try again later."))
    else:
        record(
            "deliberation.analysis_recomputed",
            actor=request.user,
            council=here,
            target=found,
            votes=analysis.votes_counted,
            duration_ms=analysis.duration_ms,
        )
        messages.success(
            request,
            _("The analysis is up to date: %(votes)d votes counted in %(ms)d ms.")
            % {"votes": analysis.votes_counted, "ms": analysis.duration_ms},
        )
    return redirect(_url("conversation", found))


# --- Statements ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_statements(
    request: HttpRequest, council: str, conversation_id: int
) -> HttpResponse:
    """Every statement, newest first, and the form for a seed statement (managers)."""
    here, found = _conversation(request, council, conversation_id, Action.MODERATE)
    manages = rules.manages(request.user, found)
    form = df.SeedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not manages:
            raise Http404
        if form.is_valid():
            ok, _seed = _attempt(
                form,
                lambda: domain.add_statement(
                    found,
                    text=form.cleaned_data["text"],
                    by=request.user,
                    is_meta=form.cleaned_data["is_meta"],
                ),
            )
            if ok:
                messages.success(request, _("The statement is added."))
                return redirect(_url("conversation_statements", found))
    rows = Statement.objects.filter(conversation=found).select_related("author").order_by("-number")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/deliberations/statements.html",
        _ctx(
            here,
            found,
            form=form,
            manages=manages,
            page=page,
            can_seed=found.status != Status.CLOSED,
        ),
    )


@never_cache
@login_required
@require_safe
def conversation_moderation(
    request: HttpRequest, council: str, conversation_id: int
) -> HttpResponse:
    """The queue: statements waiting for a moderator, oldest first."""
    here, found = _conversation(request, council, conversation_id, Action.MODERATE)
    rows = (
        Statement.objects.filter(conversation=found, state=S.PENDING)
        .select_related("author")
        .order_by("created_at", "number")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    recent = []
    if found.moderation == "post":
        recent = list(
            Statement.objects.filter(
                conversation=found, state=S.ACCEPTED, author__isnull=False
            ).order_by("-created_at", "-number")[:PER_PAGE]
        )
    return render(
        request,
        "staff/deliberations/moderation.html",
        _ctx(here, found, page=page, recent=recent, form=df.ModerateForm()),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_moderate(
    request: HttpRequest, council: str, conversation_id: int, statement_id: int
) -> HttpResponse:
    """Show or remove one statement (with a reason when removing)."""
    here, found = _conversation(request, council, conversation_id, Action.MODERATE)
    statement = Statement.objects.filter(conversation=found, pk=statement_id).first()
    if statement is None:
        raise Http404("No such statement.")
    form = df.ModerateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        ok, _done = _attempt(
            form,
            lambda: domain.moderate_statement(
                statement, by=request.user, accept=accept, reason=form.cleaned_data["reason"]
            ),
        )
        if ok:
            if accept:
                messages.success(request, _("Statement %(n)d is shown.") % {"n": statement.number})
            else:
                messages.success(
                    request, _("Statement %(n)d is removed.") % {"n": statement.number}
                )
            back = request.POST.get("back")
            name = "conversation_statements" if back == "statements" else "conversation_moderation"
            return redirect(_url(name, found))
    return render(
        request,
        "staff/deliberations/moderate.html",
        _ctx(here, found, statement=statement, form=form, back=request.POST.get("back", "")),
    )
