"""The search page, and a signed-in person's saved searches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from moothall.accounts.models import User
from moothall.search import registry
from moothall.search.forms import SearchForm
from moothall.search.models import SavedSearch
from moothall.search.query import MAX_OFFSET, QueryError, SearchResults, search

PAGE_SIZE = 20
MAX_SAVED_SEARCHES = 50


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool = False
    gap: bool = False


def _page_url(params: QueryDict, page: int) -> str:
    query = params.copy()
    query["page"] = str(page)
    return "?" + query.urlencode()


def _pagination(params: QueryDict, page: int, total: int) -> dict[str, Any]:
    last = max(1, min((total + PAGE_SIZE - 1) // PAGE_SIZE, MAX_OFFSET // PAGE_SIZE + 1))
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append(PageLink(number=0, url="", gap=True))
        links.append(PageLink(number, _page_url(params, number), current=number == page))
        previous = number
    return {
        "pages": links if last > 1 else [],
        "previous_url": _page_url(params, page - 1) if page > 1 else "",
        "next_url": _page_url(params, page + 1) if page < last else "",
    }


def _page_number(params: QueryDict) -> int:
    try:
        return max(1, min(int(params.get("page", "1")), MAX_OFFSET // PAGE_SIZE + 1))
    except ValueError:
        return 1


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Search everything public: a GET form that works without JavaScript."""
    searched = bool(request.GET)
    form = SearchForm(request.GET if searched else None)
    results: SearchResults | None = None
    context: dict[str, Any] = {"form": form}
    if searched and form.is_valid() and form.cleaned_data["q"]:
        page = _page_number(request.GET)
        try:
            results = search(
                form.cleaned_data["q"],
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                **form.search_arguments(),
            )
        except QueryError as error:  # already checked by the form; kept for safety
            form.add_error("q", error.message)
        else:
            context.update(_pagination(request.GET, page, results.total))
            context["first_number"] = results.offset + 1
    context["results"] = results
    # The filters stay open when one is set or wrong.
    filter_names = ("council", "body", "type", "date_from", "date_to")
    context["filtered"] = any(request.GET.get(name) for name in filter_names) or any(
        name in form.errors for name in filter_names
    )
    context["save_fields"] = _save_fields(form) if results is not None else []
    return render(request, "search/search.html", context)


def _save_fields(form: SearchForm) -> list[tuple[str, str]]:
    """The current query and filters, as hidden fields of the "save this search" form."""
    data = form.cleaned_data
    fields = [("q", data["q"])]
    if form.selected_council is not None:
        fields.append(("council", form.selected_council.slug))
    if data.get("body"):
        fields.append(("body", str(data["body"])))
    fields.extend(("type", kind) for kind in data.get("type") or [])
    for name in ("date_from", "date_to"):
        if data.get(name):
            fields.append((name, data[name].isoformat()))
    return fields


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in person through
    return user


@require_POST
@login_required
def save(request: HttpRequest) -> HttpResponse:
    """Save the query and filters for an email digest of new results."""
    form = SearchForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["q"]:
        errors = [str(e) for field in form.errors.values() for e in field] or [
            _("Enter a word or phrase to search for.")
        ]
        messages.error(request, _("This search could not be saved: %(why)s") % {"why": errors[0]})
        return redirect("search:search")
    data = form.cleaned_data
    values = {
        "query": data["q"],
        "council": form.selected_council,
        "body": form.body_object,
        "kinds": sorted(data.get("type") or []),
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }
    user = _person(request)
    mine = SavedSearch.objects.filter(user=user)
    if mine.filter(**values).exists():
        messages.info(request, _("You have already saved this search."))
    elif mine.count() >= MAX_SAVED_SEARCHES:
        messages.error(
            request,
            _("You can keep up to %(n)d saved searches. Delete one to save another.")
            % {"n": MAX_SAVED_SEARCHES},
        )
    else:
        SavedSearch.objects.create(user=user, **values)
        messages.success(
            request, _("Search saved. We will email you when something new matches it.")
        )
    return redirect("search:saved")


@require_safe
@login_required
def saved(request: HttpRequest) -> HttpResponse:
    """The person's saved searches, each with a link to run it and a button to delete it."""
    labels = {kind.kind: str(kind.label) for kind in registry.kinds()}
    rows = []
    mine = SavedSearch.objects.filter(user=_person(request)).select_related("council", "body")
    for item in mine:
        params: list[tuple[str, str]] = [("q", item.query)]
        if item.council is not None:
            params.append(("council", item.council.slug))
        if item.body_id:
            params.append(("body", str(item.body_id)))
        params.extend(("type", kind) for kind in item.kinds)
        for name in ("date_from", "date_to"):
            value = getattr(item, name)
            if value:
                params.append((name, value.isoformat()))
        rows.append(
            {
                "saved": item,
                "kinds": [labels.get(kind, kind) for kind in item.kinds],
                "url": reverse("search:search") + "?" + urlencode(params),
            }
        )
    return render(request, "search/saved.html", {"rows": rows})


@require_POST
@login_required
def delete_saved(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(SavedSearch, pk=pk, user=_person(request))
    item.delete()
    messages.success(request, _("Saved search deleted. We will not email you about it again."))
    return redirect("search:saved")
