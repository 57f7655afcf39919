"""Write to your councillor: the resident's form, their messages, the councillor's inbox,
and the councillor's reply link (which works without signing in).

Every page here shows private correspondence, so none is cached. The resident's pages
never show a councillor's address; the councillor's pages show the resident's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from moothall.core.forms import add_verb_errors as _add_verb_errors
from moothall.correspondence import domain
from moothall.correspondence.access import (
    councillor_addresses,
    councillor_record_of,
    get_councillor_for,
    get_message_by_token,
    get_message_for_councillor,
    get_message_for_sender,
)
from moothall.correspondence.models import CorrespondenceSettings, Message, SenderBlock
from moothall.councils.models import Council, Ward
from moothall.public.correspondence_forms import BlockForm, ReplyForm, WriteForm

MESSAGES_PER_PAGE = 20


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def _fix_for(request: HttpRequest, problem: str) -> tuple[str, str]:
    """Where to go, and what the link says, to put right what stops someone writing."""
    if problem == "signed_out":
        return (
            f"{reverse('account_login')}?next={request.get_full_path()}",
            gettext("Sign in or create an account"),
        )
    if problem == "email_unverified":
        return reverse("account_email"), gettext("Confirm your email address")
    if problem == "no_postcode":
        return reverse("accounts:profile"), gettext("Add your postcode to your profile")
    if problem in ("unknown_postcode", "outside_area"):
        return reverse("accounts:profile"), gettext("Check the postcode in your profile")
    return "", ""


# --- Writing ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def write(request: HttpRequest, council: str, ward: str) -> HttpResponse:
    found = get_object_or_404(
        Ward.objects.select_related("council"), council__slug=council, slug=ward
    )
    here = found.council
    councillors = domain.current_councillors(found)
    addresses = councillor_addresses(councillors)
    rules = CorrespondenceSettings.for_council(here)
    context: dict[str, Any] = {
        "council": here,
        "ward": found,
        "contactable": [c for c in councillors if addresses[c.pk]],
        "unreachable": [c for c in councillors if not addresses[c.pk]],
        "rules": rules,
        "problem": "",
    }
    refused = 403 if request.method == "POST" else 200
    if not rules.is_open:
        context["problem"] = "closed"
        return render(request, "public/correspondence/write.html", context, status=refused)
    standing = domain.standing_for(request.user, here)
    if standing.problem:
        fix_url, fix_label = _fix_for(request, standing.problem)
        context.update(
            problem=standing.problem,
            problem_message=domain.standing_message(standing, here),
            fix_url=fix_url,
            fix_label=fix_label,
        )
        return render(request, "public/correspondence/write.html", context, status=refused)
    if standing.ward is None or standing.ward.pk != found.pk:
        context.update(problem="wrong_ward", own_ward=standing.ward, postcode=standing.postcode)
        return render(request, "public/correspondence/write.html", context, status=refused)
    if not context["contactable"]:
        context["problem"] = "nobody"
        return render(request, "public/correspondence/write.html", context, status=refused)

    chosen = request.GET.get("to", "")
    form_options = {
        "councillors": context["contactable"],
        "ward": found,
        "max_length": rules.max_length,
    }
    form = WriteForm(
        initial={
            "name": getattr(request.user, "name", ""),
            "to": chosen if chosen in {str(c.pk) for c in context["contactable"]} else "",
        },
        **form_options,
    )
    if request.method == "POST":
        form = WriteForm(request.POST, **form_options)
        if form.is_valid():
            try:
                sent_messages = domain.write_to_councillors(
                    request.user,
                    here,
                    form.cleaned_data["to"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                return redirect(
                    "public:correspondence_sent",
                    council=here.slug,
                    group=sent_messages[0].group_id,
                )
    context["form"] = form
    return render(
        request,
        "public/correspondence/write.html",
        context,
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest, council: str, group: uuid.UUID) -> HttpResponse:
    here = _council(council)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    letter = list(
        Message.objects.filter(council=here, sender_id=request.user.pk, group_id=group)
        .select_related("councillor__person", "councillor__ward")
        .order_by("councillor__person__name", "pk")
    )
    if not letter:
        raise Http404("No such message.")
    return render(
        request,
        "public/correspondence/sent.html",
        {"council": here, "letter": letter, "first": letter[0]},
    )


# --- The resident's messages -----------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def my_messages(request: HttpRequest, council: str) -> HttpResponse:
    here = _council(council)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    listed = (
        Message.objects.filter(council=here, sender_id=request.user.pk)
        .select_related("councillor__person")
        .order_by("-last_activity_at", "-pk")
    )
    page = Paginator(listed, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/correspondence/my_messages.html",
        {
            "council": here,
            "page": page,
            "is_councillor": councillor_record_of(request.user, here) is not None,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def message(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = get_message_for_sender(request.user, council, pk)
    rules = CorrespondenceSettings.for_council(found.council)
    blocked = domain.is_blocked(found.councillor, request.user)
    form = ReplyForm(max_length=rules.max_length)
    if request.method == "POST" and not blocked:
        form = ReplyForm(request.POST, max_length=rules.max_length)
        if form.is_valid():
            try:
                domain.reply_as_sender(request.user, found, body=form.cleaned_data["body"])
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                messages.success(request, gettext("Your reply has been sent."))
                return redirect(found.get_absolute_url())
    return render(
        request,
        "public/correspondence/message.html",
        {
            "council": found.council,
            "message": found,
            "replies": list(found.replies.all()),
            "form": form,
            "blocked": blocked,
            "unavailable": domain.unavailable_message(found.councillor, found.council)
            if blocked
            else "",
        },
        status=400 if form.errors else 200,
    )


# --- The councillor's inbox ------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest, council: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    councillor = get_councillor_for(request.user, council)
    status = request.GET.get("status", "")
    listed = Message.objects.filter(councillor=councillor).order_by("-last_activity_at", "-pk")
    if status in Message.Status.values:
        listed = listed.filter(status=status)
    else:
        status = ""
    page = Paginator(listed, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    blocked = set(
        SenderBlock.objects.filter(
            councillor=councillor, sender_id__in=[m.sender_id for m in page.object_list]
        ).values_list("sender_id", flat=True)
    )
    return render(
        request,
        "public/correspondence/inbox.html",
        {
            "council": councillor.council,
            "councillor": councillor,
            "page": page,
            "status": status,
            "statuses": Message.Status.choices,
            "blocked": blocked,
            "page_query": f"status={status}" if status else "",
        },
    )


def _councillor_thread(
    request: HttpRequest,
    found: Message,
    acting: Any,
    *,
    action_url: str,
    block_url: str,
    by_link: bool,
) -> HttpResponse:
    rules = CorrespondenceSettings.for_council(found.council)
    form = ReplyForm(max_length=rules.max_length)
    if request.method == "POST":
        form = ReplyForm(request.POST, max_length=rules.max_length)
        if form.is_valid():
            try:
                domain.reply_as_councillor(acting, found, body=form.cleaned_data["body"])
            except ValidationError as error:
                _add_verb_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Your reply has been sent to %(name)s.") % {"name": found.sender_name},
                )
                return redirect(action_url)
    response = render(
        request,
        "public/correspondence/inbox_message.html",
        {
            "council": found.council,
            "message": found,
            "replies": list(found.replies.all()),
            "form": form,
            "block_form": BlockForm(),
            "blocked": domain.is_blocked(found.councillor, found.sender),
            "action_url": action_url,
            "block_url": block_url,
            "by_link": by_link,
        },
        status=400 if form.errors else 200,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _block(request: HttpRequest, found: Message, acting: Any, back: str) -> HttpResponse:
    if request.POST.get("action") == "unblock":
        domain.unblock_sender(acting, found)
        messages.success(
            request,
            gettext("%(name)s can write to you again.") % {"name": found.sender_name},
        )
        return redirect(back)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
        return redirect(back)
    try:
        domain.block_sender(acting, found, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            gettext(
                "You will get no more messages from %(name)s through this site. They are not told."
            )
            % {"name": found.sender_name},
        )
    return redirect(back)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def inbox_message(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = get_message_for_councillor(request.user, council, pk)
    return _councillor_thread(
        request,
        found,
        request.user,
        action_url=found.get_inbox_url(),
        block_url=reverse(
            "public:correspondence_inbox_block", kwargs={"council": council, "pk": found.pk}
        ),
        by_link=False,
    )


@never_cache
@require_POST
def inbox_block(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied
    found = get_message_for_councillor(request.user, council, pk)
    return _block(request, found, request.user, found.get_inbox_url())


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def token_reply(request: HttpRequest, council: str, token: str) -> HttpResponse:
    found = get_message_by_token(council, token)
    return _councillor_thread(
        request,
        found,
        found.token,
        action_url=found.get_reply_url(),
        block_url=reverse(
            "public:correspondence_reply_block", kwargs={"council": council, "token": found.token}
        ),
        by_link=True,
    )


@never_cache
@require_POST
def token_block(request: HttpRequest, council: str, token: str) -> HttpResponse:
    found = get_message_by_token(council, token)
    return _block(request, found, found.token, found.get_reply_url())
