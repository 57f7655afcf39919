"""Councils, wards, parties, people, councillors and postcodes in the Django admin.

For platform staff: the register, ModernGov and postcode importers fill these
tables; the admin is where a stray record is looked up or corrected by hand.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import (
    Council,
    Councillor,
    KeyPost,
    Party,
    Person,
    Postcode,
    TermOfOffice,
    Ward,
)
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode

# Addresses typed without a scheme are taken as https (Django 6's default).
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


# A logo is judged by its bytes (Pillow), not by its name: the model's extension check
# alone would take a web page named logo.png. (Issue 8, security.)
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000


def check_logo(data: bytes) -> None:
    """ValidationError unless ``data`` is a whole PNG, JPEG or WebP picture of sensible size."""
    import io
    import warnings

    from PIL import Image

    refused = forms.ValidationError(
        _("The logo must be a picture: a PNG, JPEG or WebP image of at most 2 MB."),
        code="not_an_image",
    )
    if not data or len(data) > LOGO_MAX_BYTES:
        raise refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in LOGO_FORMATS:
                    raise refused
                if probe.size[0] * probe.size[1] > LOGO_MAX_PIXELS:
                    raise refused
                probe.verify()
            with Image.open(io.BytesIO(data)) as whole:
                whole.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused from None
    except (OSError, ValueError, SyntaxError, EOFError):  # UnidentifiedImageError is an OSError
        raise refused from None


class CouncilAdminForm(forms.ModelForm):
    """The admin's Council form (the admin supplies the model and fields)."""

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            check_logo(logo.read())
            logo.seek(0)
        return logo


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    form = CouncilAdminForm
    list_display = ("short_name", "name", "slug", "tier", "nation", "gss_code", "register_code")
    list_filter = ("tier", "nation")
    search_fields = ("name", "short_name", "slug", "gss_code", "register_code")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = URL_FIELDS


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("name", "council", "slug", "gss_code")
    search_fields = ("name", "slug", "gss_code", "council__short_name")
    list_select_related = ("council",)
    raw_id_fields = ("council",)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


class TermOfOfficeInline(admin.TabularInline):
    model = TermOfOffice
    extra = 0


class KeyPostInline(admin.TabularInline):
    model = KeyPost
    extra = 0


@admin.register(Councillor)
class CouncillorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "council", "ward", "party", "source", "source_id")
    list_filter = ("source", "party")
    search_fields = ("person__name", "title", "council__short_name", "ward__name", "source_id")
    list_select_related = ("person", "council", "ward", "party")
    raw_id_fields = ("person", "council", "ward")
    readonly_fields = ("created_at", "updated_at")
    inlines = (TermOfOfficeInline, KeyPostInline)
    formfield_overrides = URL_FIELDS


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("postcode", "ward_gss", "division_gss", "district_gss", "county_gss")
    search_fields = ("^postcode",)
    # The national directory has about 2.7 million rows: never count them all.
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Postcode], search_term: str
    ) -> tuple[QuerySet[Postcode], bool]:
        """A whole postcode, typed any way, is found by the index; anything else by prefix."""
        try:
            canonical = normalise_postcode(search_term)
        except InvalidPostcode:
            return super().get_search_results(request, queryset, search_term.strip().upper())
        return queryset.filter(postcode=canonical), False
