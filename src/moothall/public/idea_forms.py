"""Forms residents, councillors and officers fill in on the public ideas pages.

They check the shape of what was sent (lengths, choices within the council); the verbs
in :mod:`moothall.ideas.domain` decide and write, and their ``ValidationError`` comes
back into the form beside the field it is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Council, Topic, Ward
from moothall.ideas import domain
from moothall.ideas.images import MAX_BYTES
from moothall.ideas.models import Idea

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


ALT_HINT = _("For people who cannot see it, for example “Overflowing bins by the bus stop”.")


def _text(
    label: StrOrPromise,
    limit: int,
    required_message: StrOrPromise,
    *,
    required: bool = True,
    textarea: bool = False,
    help_text: StrOrPromise = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={
            "required": required_message,
            "max_length": _("Use %(limit_value)d characters or fewer."),
        },
    )


class _Choice(forms.ModelChoiceField):
    """A choice among the council's own rows: anything else is "not one of the list"."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _topic_field(council: Council) -> _Choice:
    return _Choice(
        label=_("Topic (optional)"),
        queryset=Topic.objects.filter(council=council).order_by("name"),
        required=False,
        empty_label=_("No particular topic"),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Choose a topic from the list.")},
    )


def _ward_field(council: Council) -> _Choice:
    return _Choice(
        label=_("Ward (optional)"),
        queryset=Ward.objects.filter(council=council).order_by("name"),
        required=False,
        empty_label=_("No particular ward, or the whole area"),
        to_field_name="slug",
        help_text=_("The part of the area it is about."),
        error_messages={"invalid_choice": _("Choose a ward from the list.")},
    )


def _coordinate(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        error_messages={"max_length": _("Enter a number like 51.50735.")},
    )


class IdeaForm(forms.Form):
    """An idea or need: what, where, and (when proposing) one picture."""

    kind = forms.ChoiceField(
        label=_("Is this an idea or a need?"),
        choices=Idea.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "An idea is something you suggest the council does; a need is a problem you "
            "want the council to know about."
        ),
        error_messages={
            "required": _("Choose whether this is an idea or a need."),
            "invalid_choice": _("Choose whether this is an idea or a need."),
        },
    )
    title = _text(_("Title"), domain.TITLE_LIMIT, _("Enter a title."))
    body = _text(
        _("Describe it"),
        domain.BODY_LIMIT,
        _("Describe your idea or need."),
        textarea=True,
        help_text=_(
            "Say what you would like to happen and why. You can use Markdown: "
            "*emphasis*, **bold**, lists and links."
        ),
    )
    latitude = _coordinate(
        _("Latitude (optional)"), _("If it is about one spot: for example 51.50735.")
    )
    longitude = _coordinate(_("Longitude (optional)"), _("For example -0.12776."))

    def __init__(self, *args: Any, council: Council, with_image: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.council = council
        self.fields["topic"] = _topic_field(council)
        self.fields["ward"] = _ward_field(council)
        self.order_fields(["kind", "title", "body", "topic", "ward", "latitude", "longitude"])
        if with_image:
            self.fields["image"] = forms.FileField(
                label=_("A picture (optional)"),
                required=False,
                help_text=_("A JPEG, PNG or WebP picture of up to %(limit)d MB.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
                error_messages={
                    "invalid": _("The file must be a picture: a JPEG, PNG or WebP image."),
                    "empty": _("The file you chose is empty."),
                },
            )
            self.fields["alt_text"] = _text(
                _("Describe the picture"),
                domain.ALT_TEXT_LIMIT,
                _("Describe the picture for people who cannot see it."),
                required=False,
                help_text=ALT_HINT,
            )

    def clean_image(self) -> UploadedFile | None:
        image = self.cleaned_data.get("image")
        if image and image.size is not None and image.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The picture must be %(limit)d MB or smaller."),
                params={"limit": MAX_BYTES // (1024 * 1024)},
            )
        return image

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("image") and not (data.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Describe the picture for people who cannot see it."))
        return data

    def images(self) -> list[domain.ImageUpload]:
        image = self.cleaned_data.get("image")
        if not image:
            return []
        return [domain.ImageUpload(image.read(), self.cleaned_data.get("alt_text") or "")]


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Picture"),
        help_text=_("A JPEG, PNG or WebP picture of up to %(limit)d MB.")
        % {"limit": MAX_BYTES // (1024 * 1024)},
        error_messages={
            "required": _("Choose a picture to upload."),
            "invalid": _("The file must be a picture: a JPEG, PNG or WebP image."),
            "empty": _("The file you chose is empty."),
        },
    )
    alt_text = _text(
        _("Describe the picture"),
        domain.ALT_TEXT_LIMIT,
        _("Describe the picture for people who cannot see it."),
        help_text=ALT_HINT,
    )

    def clean_image(self) -> UploadedFile:
        image = self.cleaned_data["image"]
        if image.size is not None and image.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The picture must be %(limit)d MB or smaller."),
                params={"limit": MAX_BYTES // (1024 * 1024)},
            )
        return image


class CommentForm(forms.Form):
    body = _text(
        _("Your comment"),
        domain.COMMENT_LIMIT,
        _("Enter your comment."),
        textarea=True,
        help_text=_("Comments are public, with your name. Be kind and keep to the idea."),
    )
    # The comment replied to: read and checked by the view (it must be one of the idea's).
    parent = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)


class ResponseForm(forms.Form):
    body = _text(
        _("Your response"),
        domain.RESPONSE_LIMIT,
        _("Enter your response."),
        textarea=True,
        help_text=_("Published on the idea's page and sent to everyone who follows it."),
    )
    as_council = forms.BooleanField(
        label=_("Respond in the council's name rather than as councillor"), required=False
    )
