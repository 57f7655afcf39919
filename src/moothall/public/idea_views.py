"""The public side of ideas and needs: the list, proposing, one idea's page and what a
person does there (support, comment, reply, respond, add a picture).

Thin views: fetch the council and the idea (404 otherwise), check the form, call one
verb from :mod:`moothall.ideas.domain`, then redirect with a message, or show the page
again with the errors (status 400). Everything works without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.residents import Eligibility
from moothall.accounts.rules import Action, can, can_respond_publicly, is_author, is_councillor_at
from moothall.core.forms import add_verb_errors as _apply
from moothall.core.text import render_markdown
from moothall.councils.models import Council, Postcode, Topic, Ward
from moothall.ideas import domain, queries
from moothall.ideas.models import Comment, Idea, IdeaImage, IdeaSettings
from moothall.public.idea_forms import CommentForm, IdeaForm, ImageForm, ResponseForm

IDEAS_PER_PAGE = 20
SORT_LABELS = {
    "newest": _("Newest"),
    "supported": _("Most supported"),
    "active": _("Recently active"),
}


def _council(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def _idea(request: HttpRequest, council: str, pk: int, *, hidden: bool = False) -> Idea:
    """The idea at ``pk``; one moderators hid is found only when ``hidden`` (its page), one
    waiting to be checked only by its author and moderators."""
    found = Idea.objects.select_related("council", "topic", "ward", "author", "merged_into")
    if not hidden:
        found = found.filter(hidden_at__isnull=True)
    idea = get_object_or_404(found, council__slug=council, pk=pk)
    if idea.awaiting_moderation and not _sees_waiting(request.user, idea):
        raise Http404
    return idea


def _sees_waiting(user: Any, idea: Idea) -> bool:
    return bool(user.is_authenticated) and (
        is_author(user, idea) or can(user, Action.MODERATE, idea.council)
    )


def _not_eligible_message(error: domain.NotEligible) -> str:
    what = {
        "propose": gettext("propose an idea"),
        "support": gettext("support ideas"),
        "comment": gettext("comment"),
    }.get(error.what, error.what)
    if error.needed == Eligibility.POSTCODE_IN_AREA:
        return gettext(
            "To %(what)s here, add your postcode in your account: it must be in the council's area."
        ) % {"what": what}
    if error.needed == Eligibility.VERIFIED_RESIDENT:
        return gettext(
            "To %(what)s here, the council must first confirm that you live in its area."
        ) % {"what": what}
    return gettext("To %(what)s, confirm your email address first.") % {"what": what}


def _ward_from_postcode(council: Council, postcode: str) -> Ward | None:
    """The council's ward that the person's declared postcode lies in, if we know it."""
    if not postcode:
        return None
    row = Postcode.objects.filter(postcode=postcode).first()
    if row is None:
        return None
    codes = [c for c in (row.ward_gss, row.division_gss, row.parish_gss) if c]
    return Ward.objects.filter(council=council, gss_code__in=codes).first() if codes else None


# --- The list ------------------------------------------------------------------------------


@require_safe
def ideas(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    topics = list(Topic.objects.filter(council=found).order_by("name"))
    wards = list(Ward.objects.filter(council=found).order_by("name"))
    chosen = {key: request.GET.get(key, "")[:100] for key in ("topic", "ward", "status", "kind")}
    sort = request.GET.get("sort", "")
    filters = queries.Filters(
        topic=next((t for t in topics if t.slug == chosen["topic"]), None),
        ward=next((w for w in wards if w.slug == chosen["ward"]), None),
        status=chosen["status"] if chosen["status"] in queries.LISTED_STATUSES else "",
        kind=chosen["kind"] if chosen["kind"] in Idea.Kind.values else "",
        sort=sort if sort in queries.SORTS else queries.DEFAULT_SORT,
    )
    page = queries.paginate(
        queries.listed_ideas(found, filters), request.GET.get("page"), IDEAS_PER_PAGE
    )
    params = {
        "topic": filters.topic.slug if filters.topic else "",
        "ward": filters.ward.slug if filters.ward else "",
        "status": filters.status,
        "kind": filters.kind,
    }
    sort_links = [
        (
            key,
            str(label),
            "?" + urlencode({k: v for k, v in {**params, "sort": key}.items() if v}),
        )
        for key, label in SORT_LABELS.items()
    ]
    return render(
        request,
        "public/ideas/ideas.html",
        {
            "council": found,
            "page": page,
            "topics": topics,
            "wards": wards,
            "filters": filters,
            "statuses": [(s, Idea.Status(s).label) for s in domain.STATUS_ORDER],
            "kinds": Idea.Kind.choices,
            "sort_links": sort_links,
            "filtered": any(params.values()),
            "page_query": urlencode(
                {k: v for k, v in {**params, "sort": filters.sort}.items() if v}
            ),
        },
    )


# --- Proposing ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def idea_new(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = domain.may(request.user, found, "propose")
    ward = _ward_from_postcode(found, getattr(request.user, "postcode", ""))
    form = IdeaForm(
        council=found, initial={"kind": Idea.Kind.IDEA, "ward": ward.slug if ward else ""}
    )
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, council=found)
        if form.is_valid():
            data = form.cleaned_data
            try:
                idea = domain.propose_idea(
                    request.user,
                    found,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    topic=data["topic"],
                    ward=data["ward"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    images=form.images(),
                )
            except domain.NotEligible as error:
                form.add_error(None, _not_eligible_message(error))
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(
                    request,
                    gettext(
                        "Thank you. Your idea will be published once a moderator has checked "
                        "it; until then only you can see it. You will hear when it is."
                    )
                    if idea.awaiting_moderation
                    else gettext(
                        "Your idea is published. You will hear when the council acts on it."
                    ),
                )
                return redirect(idea.get_absolute_url())
    return render(
        request,
        "public/ideas/idea_form.html",
        {
            "council": found,
            "form": form,
            "allowed": allowed,
            "not_allowed_message": ""
            if allowed
            else _not_eligible_message(
                domain.NotEligible(domain.needed_level(found, "propose"), "propose")
            ),
            "action_url": reverse("public:idea_new", kwargs={"council": found.slug}),
            "creating": True,
            "checked_first": IdeaSettings.for_council(found).premoderate_ideas,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def idea_edit(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    idea = _idea(request, council, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_author(request.user, idea) or idea.status != Idea.Status.NEW:
        raise PermissionDenied
    initial = {
        "kind": idea.kind,
        "title": idea.title,
        "body": idea.body,
        "topic": idea.topic.slug if idea.topic else "",
        "ward": idea.ward.slug if idea.ward else "",
        "latitude": idea.latitude if idea.latitude is not None else "",
        "longitude": idea.longitude if idea.longitude is not None else "",
    }
    form = IdeaForm(council=idea.council, with_image=False, initial=initial)
    if request.method == "POST":
        form = IdeaForm(request.POST, council=idea.council, with_image=False)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.edit_idea(
                    request.user,
                    idea,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    topic=data["topic"],
                    ward=data["ward"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                )
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, gettext("Your changes are saved."))
                return redirect(idea.get_absolute_url())
    return render(
        request,
        "public/ideas/idea_form.html",
        {
            "council": idea.council,
            "idea": idea,
            "form": form,
            "allowed": True,
            "action_url": reverse("public:idea_edit", kwargs={"council": council, "pk": idea.pk}),
            "creating": False,
        },
        status=400 if form.errors else 200,
    )


# --- One idea --------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
    reply_form: CommentForm | None = None,
    reply_to: int | None = None,
    response_form: ResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    council = idea.council
    signed_in = bool(user.is_authenticated)
    supported = signed_in and idea.supports.filter(user_id=user.pk or 0).exists()
    responder = signed_in and can_respond_publicly(user, council)
    both = responder and is_councillor_at(user, council) and can(user, Action.MANAGE_VOICE, council)
    links = queries.public_agenda_links(idea)
    return render(
        request,
        "public/ideas/idea.html",
        {
            "council": council,
            "idea": idea,
            "body": render_markdown(idea.body),
            "images": list(idea.images.order_by("created_at", "id")),
            "responses": [
                (response, render_markdown(response.body))
                for response in queries.responses_of(idea)
            ],
            "comments": queries.comment_tree(idea, user),
            "timeline": queries.public_timeline(idea),
            "agenda_links": links,
            "merged_from": list(idea.merged_from.order_by("created_at", "id")),
            "supported": supported,
            "open_for_support": idea.status in domain.OPEN_FOR_SUPPORT
            and not idea.awaiting_moderation,
            # Said beside the comment form, which only signed-in people see.
            "comments_checked": signed_in
            and IdeaSettings.for_council(council).premoderate_comments,
            "is_author": signed_in and is_author(user, idea),
            "can_moderate": signed_in and can(user, Action.MODERATE, council),
            "comment_form": comment_form or CommentForm(),
            "reply_form": reply_form,
            "reply_to": reply_to,
            "max_depth": domain.MAX_COMMENT_DEPTH,
            "responder": responder,
            "response_form": response_form or (ResponseForm() if responder else None),
            "offer_as_council": both,
        },
        status=status,
    )


@require_safe
def idea_short(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    return redirect(_idea(request, council, pk).get_absolute_url())


@require_safe
def idea(request: HttpRequest, council: str, pk: int, slug: str) -> HttpResponse:
    found = _idea(request, council, pk, hidden=True)
    if found.is_hidden:
        # Gone on purpose: say so, and why, rather than "page not found".
        return render(
            request,
            "public/ideas/hidden.html",
            {"council": found.council, "idea": found},
            status=410,
        )
    if found.is_merged and found.merged_into is not None:
        messages.info(
            request,
            gettext("“%(title)s” was merged into this idea, which covers the same ground.")
            % {"title": found.title},
        )
        return redirect(found.merged_into.get_absolute_url())
    if slug != found.slug:
        return redirect(found.get_absolute_url(), permanent=True)
    return _page(request, found)


def _back(idea: Idea, anchor: str = "") -> HttpResponse:
    return redirect(idea.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@require_POST
def idea_support(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _idea(request, council, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(found.get_absolute_url())
    try:
        if request.POST.get("action") == "withdraw":
            if domain.withdraw_support(request.user, found):
                messages.success(request, gettext("Your support has been withdrawn."))
        else:
            domain.support_idea(request.user, found)
            messages.success(
                request,
                gettext(
                    "Thank you: your support counts. You will hear when the council acts on it."
                ),
            )
    except domain.NotEligible as error:
        messages.error(request, _not_eligible_message(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(found, "support")


@require_POST
def idea_comment(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _idea(request, council, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(found.get_absolute_url())
    # The comment replied to, if any, must be one of this idea's: anything else is not found.
    parent_id = request.POST.get("parent", "").strip()
    parent: Comment | None = None
    if parent_id:
        if not (parent_id.isascii() and parent_id.isdigit() and len(parent_id) < 19):
            raise Http404
        parent = Comment.objects.filter(idea=found, pk=int(parent_id)).first()
        if parent is None:
            raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            made = domain.comment(
                request.user, found, body=form.cleaned_data["body"], parent=parent
            )
        except domain.NotEligible as error:
            form.add_error(None, _not_eligible_message(error))
        except ValidationError as error:
            _apply(form, error)
        else:
            if made.awaiting_moderation:
                messages.success(
                    request,
                    gettext(
                        "Thank you. Your comment will be published once a moderator has "
                        "checked it; until then only you can see it."
                    ),
                )
            else:
                messages.success(request, gettext("Your comment is published."))
            return _back(found, f"comment-{made.pk}")
    return _page(
        request,
        found,
        comment_form=None if parent else form,
        reply_form=form if parent else None,
        reply_to=parent.pk if parent else None,
        status=400,
    )


@require_POST
def idea_respond(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _idea(request, council, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(found.get_absolute_url())
    if not can_respond_publicly(request.user, found.council):
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            made = domain.respond_to_idea(
                request.user,
                found,
                body=form.cleaned_data["body"],
                as_council=form.cleaned_data["as_council"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, gettext("Your response is published."))
            return _back(found, f"response-{made.pk}")
    return _page(request, found, response_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def idea_image_new(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    found = _idea(request, council, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_author(request.user, found) or found.status != Idea.Status.NEW:
        raise PermissionDenied
    form = ImageForm()
    if request.method == "POST":
        form = ImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                domain.add_image(
                    request.user,
                    found,
                    data=form.cleaned_data["image"].read(),
                    alt_text=form.cleaned_data["alt_text"],
                )
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, gettext("The picture is added."))
                return _back(found, "pictures")
    return render(
        request,
        "public/ideas/image_form.html",
        {"council": found.council, "idea": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def idea_image(
    request: HttpRequest, council: str, pk: int, image_id: int, extension: str
) -> FileResponse:
    found = get_object_or_404(
        IdeaImage.objects.select_related("idea__council"),
        idea__council__slug=council,
        idea_id=pk,
        pk=image_id,
    )
    # The idea must be one the public may see, or (waiting to be checked) this person.
    idea = found.idea
    if idea.is_hidden or (idea.awaiting_moderation and not _sees_waiting(request.user, idea)):
        raise Http404
    if extension != found.extension:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=found.content_type)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = (
        "private, no-store" if idea.awaiting_moderation else "public, max-age=86400"
    )
    return response
