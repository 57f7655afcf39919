"""Forms of the clerk's live console and the council's live settings. They check input;
the verbs in :mod:`moothall.live.domain` decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field
from moothall.ideas.images import MAX_BYTES
from moothall.live.domain import BLOG_TEXT_LIMIT, LINK_LIMIT, PHOTO_ALT_LIMIT
from moothall.live.models import Moderation
from moothall.staff.fields import choice_field, reason_field
from moothall.staff.meeting_forms import _integer


class BlogForm(forms.Form):
    text = text_field(
        _("Post"),
        BLOG_TEXT_LIMIT,
        required_message=_("Write the post."),
        textarea=True,
        help_text=_("A few sentences. You can use Markdown: **bold**, *italic*, lists."),
    )
    link = text_field(
        _("Link (optional)"),
        LINK_LIMIT,
        required=False,
        help_text=_("A web address starting http:// or https://, for example a report."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A JPEG, PNG or WebP picture of up to %(limit)d MB. Its metadata is removed.")
        % {"limit": MAX_BYTES // (1024 * 1024)},
        error_messages={
            "invalid": _("The file must be a picture: a JPEG, PNG or WebP image."),
            "empty": _("The file you chose is empty."),
        },
    )
    photo_alt = text_field(
        _("Describe the photo"),
        PHOTO_ALT_LIMIT,
        required=False,
        help_text=_("For people who cannot see it. Needed when you add a photo."),
    )

    def clean_photo(self) -> UploadedFile | None:
        photo = self.cleaned_data.get("photo")
        if photo and photo.size is not None and photo.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The picture must be %(limit)d MB or smaller."),
                params={"limit": MAX_BYTES // (1024 * 1024)},
            )
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("photo") and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Describe the photo for people who cannot see it."))
        return data

    def photo_bytes(self) -> bytes | None:
        photo = self.cleaned_data.get("photo")
        return b"".join(photo.chunks()) if photo else None


class AdjournForm(forms.Form):
    reason = reason_field(
        _("Reason (optional)"),
        required=False,
        help_text=_("Shown on the meeting's public timeline, for example “Until 7pm”."),
    )


class RemoveBlogPostForm(forms.Form):
    reason = reason_field(_("Reason (optional)"), required=False)


class LiveSettingsForm(forms.Form):
    comment_moderation = choice_field(
        _("Public comments"), Moderation.choices, _("Choose how comments are moderated.")
    )
    media_moderation = choice_field(
        _("Attendees' photos, audio and video"),
        Moderation.choices,
        _("Choose how uploads are moderated."),
    )
    comment_max_length = _integer(_("Longest comment (characters)"), 50, 2000)
    comments_per_window = _integer(_("Comments one person may post in ten minutes"), 1, 100)
    image_max_mb = _integer(_("Largest photo (MB)"), 1, 50)
    audio_max_mb = _integer(_("Largest audio file (MB)"), 1, 500)
    video_max_mb = _integer(_("Largest video file (MB)"), 1, 2000)
