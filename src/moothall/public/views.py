"""The public site: find your councils by postcode, and every council, ward and councillor.

Thin views: fetch (404 for what does not exist), ask a query from
``councils.queries``/``councils.lookup``, render. Each council page passes
``council`` to the template so the layout shows that council's brand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from moothall.councils import queries
from moothall.councils.lookup import UnknownPostcode, representation_for
from moothall.councils.models import (
    Council,
    Councillor,
    TermOfOffice,
    Ward,
    validate_brand_colour,
)
from moothall.public.forms import PostcodeForm
from moothall.public.meeting_views import attendance_summary, voting_record

DEFAULT_BRAND_COLOUR = "#1d4f76"
# brand.css is linked with ?v=<last change>, so a long life is safe.
BRAND_CSS_MAX_AGE = 60 * 60 * 24


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {"form": PostcodeForm()})


@require_safe
def your_councils(request: HttpRequest) -> HttpResponse:
    if "postcode" not in request.GET:
        return redirect("public:home")
    form = PostcodeForm(request.GET)
    if not form.is_valid():
        return render(request, "public/home.html", {"form": form})
    postcode = form.cleaned_data["postcode"]
    try:
        answer = representation_for(postcode)
    except UnknownPostcode:
        answer = None  # the template says we have no record of it
    return render(
        request,
        "public/your_councils.html",
        {"postcode": postcode, "answer": answer, "form": PostcodeForm()},
    )


@dataclass
class NationGroup:
    nation: str
    label: str
    councils: list[Council] = field(default_factory=list)


@require_safe
def councils(request: HttpRequest) -> HttpResponse:
    # Control characters become spaces: PostgreSQL refuses a NUL in a parameter outright.
    typed = "".join(ch if ch.isprintable() else " " for ch in request.GET.get("q", ""))
    q = " ".join(typed.split())[:200]
    labels = dict(Council.Nation.choices)
    groups = [
        NationGroup(nation=nation, label=str(labels.get(nation, nation)), councils=list(members))
        for nation, members in groupby(queries.councils_named(q), key=lambda c: c.nation)
    ]
    context = {"groups": groups, "q": q, "total": sum(len(g.councils) for g in groups)}
    if request.headers.get("HX-Request") == "true":
        # A partial update: the results, and the count swapped out of band.
        response = render(
            request, "public/partials/council_filtered.html", {**context, "oob": True}
        )
    else:
        response = render(request, "public/councils.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass
class WardGroup:
    ward: Ward | None
    councillors: list[Councillor] = field(default_factory=list)


@require_safe
def council(request: HttpRequest, council: str) -> HttpResponse:
    found = get_object_or_404(Council.objects.select_related("parent"), slug=council)
    wards = list(found.wards.order_by("name", "pk"))
    by_ward: dict[int | None, list[Councillor]] = {}
    for member in queries.councillors_of(found):
        by_ward.setdefault(member.ward_id, []).append(member)
    groups = [WardGroup(ward, by_ward[ward.pk]) for ward in wards if ward.pk in by_ward]
    if None in by_ward:
        groups.append(WardGroup(None, by_ward[None]))
    return render(
        request,
        "public/council.html",
        {
            "council": found,
            "children": list(found.children.order_by("short_name", "pk")),
            "wards": wards,
            "ward_groups": groups,
            "councillor_count": sum(len(g.councillors) for g in groups),
        },
    )


@require_safe
def council_brand(request: HttpRequest, council: str) -> HttpResponse:
    colour = Council.objects.filter(slug=council).values_list("colour", flat=True).first()
    if colour is None:
        raise Http404
    try:
        # Never echo a stored value into CSS unchecked: it must be a hex colour
        # that white header text can be read on.
        validate_brand_colour(colour)
    except ValidationError:
        colour = DEFAULT_BRAND_COLOUR
    response = HttpResponse(
        f":root{{--mh-brand:{colour.lower()}}}\n", content_type="text/css; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=BRAND_CSS_MAX_AGE)
    return response


@require_safe
def ward(request: HttpRequest, council: str, ward: str) -> HttpResponse:
    found = get_object_or_404(
        Ward.objects.select_related("council"), council__slug=council, slug=ward
    )
    return render(
        request,
        "public/ward.html",
        {
            "council": found.council,
            "ward": found,
            "councillors": list(queries.councillors_of_ward(found)),
        },
    )


@require_safe
def council_councillors(request: HttpRequest, council: str) -> HttpResponse:
    found = get_object_or_404(Council, slug=council)
    today = timezone.localdate()
    current: list[Councillor] = []
    former: list[Councillor] = []
    for member in queries.councillors_of(found, include_former=True):
        if queries.holds_office(member, today):
            current.append(member)
        elif queries.is_former(member, today):  # not someone whose term is still to begin
            former.append(member)
    return render(
        request,
        "public/council_councillors.html",
        {"council": found, "current": current, "former": former},
    )


@require_safe
def councillor(request: HttpRequest, council: str, pk: int, slug: str) -> HttpResponse:
    found = get_object_or_404(
        queries.with_details(Councillor.objects.all()), pk=pk, council__slug=council
    )
    today = timezone.localdate()
    canonical = found.get_absolute_url()
    if request.path != canonical:  # the right councillor under an old or mistyped name
        return redirect(canonical, permanent=True)
    return render(
        request,
        "public/councillor.html",
        {
            "council": found.council,
            "councillor": found,
            "in_office": queries.holds_office(found, today),
            "former": queries.is_former(found, today),
            "terms": [(term, _term_state(term, today)) for term in found.terms.all()],
            "key_posts": list(found.key_posts.all()),
            "attendance": attendance_summary(found),
            "votes": voting_record(found),
        },
    )


def _term_state(term: TermOfOffice, today: dt.date) -> str:
    if term.is_current(today):
        return "current"
    if term.start_date is not None and term.start_date > today:
        return "upcoming"
    return "ended"
