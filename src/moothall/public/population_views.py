"""Public pages of ward population and representativeness, under /<council>/.

- ``public:population``: the council's ward population figures (public statistics).
- ``public:population_petition``: a petition's signatures per 1,000 residents by ward,
  set against the population, small groups suppressed.

Surveys and deliberations show participation on their own results pages through the
``population/_representation.html`` partial.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from moothall.councils.models import Council
from moothall.petitions import representation as petition_representation
from moothall.population.bands import SUPPRESS_BELOW
from moothall.population.figures import BANDS, figures
from moothall.population.representation import participation
from moothall.public.petition_views import get_petition_for


@require_safe
def population(request: HttpRequest, council: str) -> HttpResponse:
    found = get_object_or_404(Council, slug=council)
    return render(
        request,
        "public/population/population.html",
        {"council": found, "figures": figures(found), "bands": [band.label for band in BANDS]},
    )


@require_safe
def population_petition(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    petition = get_petition_for(request.user, council, pk)
    profiles = petition_representation.profiles(petition)
    return render(
        request,
        "public/population/petition.html",
        {
            "council": petition.council,
            "petition": petition,
            "participation": participation(petition.council, profiles),
            "suppress_below": SUPPRESS_BELOW,
        },
    )
