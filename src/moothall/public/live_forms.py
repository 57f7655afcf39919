"""The live page's two forms: a resident's comment and an attendee's upload.

They check only the shape of what was sent; the verbs in
:mod:`moothall.live.contributions` decide whether it may be posted (live, not in private
session, within the rate limit, a real photo, audio or video file within the size limit).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field

CAPTION_LENGTH = 250  # Media.caption


class CommentForm(forms.Form):
    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The council sets the longest comment, so the field is made here with its limit.
        self.fields["text"] = text_field(
            _("Your comment"),
            max_length,
            required_message=_("Enter your comment"),
            textarea=True,
            help_text=gettext(
                "Up to %(limit)d characters, about the item under discussion. "
                "Your name is shown with it."
            )
            % {"limit": max_length},
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Photo, audio or video file"),
        help_text=_("A photo (JPEG, PNG or WebP), audio or video recorded at the meeting."),
        error_messages={
            "required": _("Choose a file to upload"),
            "empty": _("The file you chose is empty"),
            "invalid": _("Choose a file to upload"),
        },
    )
    caption = text_field(
        _("Caption"),
        CAPTION_LENGTH,
        required_message=_("Enter a caption that says what the file shows"),
        help_text=_("Say what it shows or what can be heard: this is what screen readers read."),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory: nothing larger than the council's
        # largest limit (for any kind) can pass the verb's check anyway.
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                gettext("The file must be smaller than %(size)d MB")
                % {"size": self.max_bytes // (1024 * 1024)},
                code="too_large",
            )
        return upload
