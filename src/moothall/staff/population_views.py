"""Ward population figures in the back-office, at /<council>/staff/population/.

Officers and council admins (``Action.MANAGE_CONSULTATIONS``, with MFA) load a council's
ward population by age band and sex from a CSV, see what is loaded, and download it. The
view checks the form and calls :func:`moothall.population.domain.import_population`; a
file it refuses comes back with every problem, by line, in the error summary.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.audit import record_export
from moothall.population.domain import import_population
from moothall.population.figures import BANDS, figures, rows_for_csv
from moothall.public.exports import _csv_response
from moothall.staff.population_forms import REPLACE, PopulationUploadForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def population(request: HttpRequest, council: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    if request.method == "POST":
        form = PopulationUploadForm(request.POST, request.FILES)
    else:
        form = PopulationUploadForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            summary = import_population(
                here,
                data["file"],
                by=request.user,
                replace=data["mode"] == REPLACE,
                source_name=data["source"],
                year=data["year"],
            )
        except ValidationError as error:
            field_errors = getattr(error, "error_dict", None)
            if field_errors:
                for name, errors in field_errors.items():
                    for one in errors:
                        form.add_error(name if name in form.fields else "file", one.messages)
            else:
                form.add_error("file", [_("The file was not loaded; nothing was changed.")])
                form.add_error("file", error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Loaded %(rows)d figure for %(wards)d wards: %(residents)s residents.",
                    "Loaded %(rows)d figures for %(wards)d wards: %(residents)s residents.",
                    summary.rows,
                )
                % {
                    "rows": summary.rows,
                    "wards": summary.wards,
                    "residents": f"{summary.residents:,}",
                },
            )
            return redirect("staff:population", council=here.slug)
    return render(
        request,
        "staff/population/population.html",
        {
            "council": here,
            "form": form,
            "figures": figures(here),
            "bands": [band.label for band in BANDS],
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_safe
def population_csv(request: HttpRequest, council: str) -> StreamingHttpResponse:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    rows = rows_for_csv(here)
    record_export(
        "population.exported", actor=request.user, council=here, format="csv", rows=len(rows)
    )
    return _csv_response(
        f"{here.slug}-ward-population.csv",
        ["ward_code", "ward_name", "age_band", "sex", "count"],
        iter(rows),
    )
