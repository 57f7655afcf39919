"""Forms of the clerk's recording pages: they parse what was typed; the verbs in
:mod:`moothall.live.record` decide."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field
from moothall.councils.models import Councillor
from moothall.live.models import Recording
from moothall.live.record import clock
from moothall.meetings.models import AgendaItem, Meeting

_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})$|^(\d{1,6})$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


def parse_clock(value: str) -> float | None:
    """h:mm:ss, m:ss or plain seconds as seconds; empty as None; ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    found = _CLOCK.match(value)
    if found is None:
        raise ValueError(value)
    hours, minutes, seconds, plain = found.groups()
    if plain is not None:
        return float(plain)
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        raise ValueError(value)
    return float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))


class RecordingForm(forms.Form):
    title = text_field(_("Title (optional)"), 200, required=False)
    url = text_field(
        _("Web address of the webcast"),
        500,
        required=False,
        help_text=_("For example a YouTube address. Leave empty to upload a file instead."),
    )
    file = forms.FileField(
        label=_("Or upload the recording"),
        required=False,
        help_text=_("Video (MP4, MOV, WebM) or audio (MP3, M4A, WAV, OGG, FLAC)."),
    )
    started_at = text_field(
        _("Time the recording started (optional)"),
        8,
        required=False,
        help_text=_(
            "On the day of the meeting, 24-hour clock, for example 18:30:05. Leave empty to "
            "use the time the meeting went live, if it did."
        ),
    )

    def __init__(self, *args: Any, meeting: Meeting, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file must be %(limit)d MB or smaller."),
                params={"limit": self.max_bytes // (1024 * 1024)},
            )
        return upload

    def clean_started_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("started_at", "").strip()
        if not value:
            return None
        found = _TIME_OF_DAY.match(value)
        if (
            found is None
            or int(found.group(1)) > 23
            or int(found.group(2)) > 59
            or int(found.group(3) or 0) > 59
        ):
            raise forms.ValidationError(_("Enter a time like 18:30 or 18:30:05."))
        day = timezone.localdate(self.meeting.start)
        moment = dt.datetime.combine(
            day, dt.time(int(found.group(1)), int(found.group(2)), int(found.group(3) or 0))
        )
        return timezone.make_aware(moment)


class CaptionsForm(forms.Form):
    captions = forms.FileField(
        label=_("Caption file"),
        help_text=_("WebVTT (.vtt) or SubRip (.srt). It replaces the transcript."),
        error_messages={"required": _("Choose a caption file.")},
    )


class ChaptersForm(forms.Form):
    """One start time per agenda item."""

    def __init__(self, *args: Any, recording: Recording, items: list[AgendaItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        starts: dict[int, float] = {}
        for chapter in recording.chapters.order_by("start_s", "id"):
            starts.setdefault(chapter.item_id, chapter.start_s)
        self.items = items
        for item in items:
            label = f"{item.number}. {item.title}" if item.number else item.title
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=label,
                required=False,
                max_length=12,
                initial=clock(starts[item.pk]) if item.pk in starts else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.starts: dict[int, float | None] = {}
        for item in self.items:
            name = f"item_{item.pk}"
            try:
                self.starts[item.pk] = parse_clock(data.get(name) or "")
            except ValueError:
                self.add_error(name, _("Enter a time like 0:12:30 (hours, minutes, seconds)."))
        return data

    def rows(self) -> list[tuple[AgendaItem, Any]]:
        return [(item, self[f"item_{item.pk}"]) for item in self.items]


class SpeakersForm(forms.Form):
    """For each speaker label of the transcript, who it was."""

    def __init__(
        self,
        *args: Any,
        labels: list[str],
        councillors: list[Councillor],
        named: dict[str, int | None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels
        self.by_pk = {c.pk: c for c in councillors}
        choices = [("", _("Not named"))] + [(str(c.pk), str(c)) for c in councillors]
        for n, label in enumerate(labels):
            self.fields[f"speaker_{n}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=str(named.get(label) or ""),
                error_messages={"invalid_choice": _("Choose a councillor of this council.")},
            )

    def chosen(self) -> dict[str, Councillor | None]:
        found: dict[str, Councillor | None] = {}
        for n, label in enumerate(self.labels):
            value = self.cleaned_data.get(f"speaker_{n}") or ""
            found[label] = self.by_pk.get(int(value)) if value else None
        return found
