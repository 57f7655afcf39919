"""The clerk's pages for a meeting's recordings, at /<council>/staff/meetings/<pk>/recordings/.

Thin views: the council through :func:`moothall.accounts.access.get_council_for` (404
unknown, 403 not allowed to manage meetings), objects scoped to it (404 otherwise), a
form, one verb of :mod:`moothall.live.record`; a refusal goes back into the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.forms import add_verb_errors as _apply
from moothall.core.forms import posted as _data
from moothall.councils.models import Council, Councillor
from moothall.live import record
from moothall.live.models import ItemSpan, LiveSettings, Recording
from moothall.live.transcribe import whisper_available
from moothall.meetings.models import Meeting
from moothall.staff import live_record_forms as forms

MB = 1024 * 1024


def _here(request: HttpRequest, council: str) -> Council:
    return get_council_for(request.user, council, Action.MANAGE_MEETINGS)


def _meeting(council: Council, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), council=council, pk=pk)
    meeting.council = council
    return meeting


def _recording(meeting: Meeting, rec_id: int) -> Recording:
    found = get_object_or_404(Recording, meeting=meeting, pk=rec_id)
    found.meeting = meeting
    return found


def _page_url(recording: Recording) -> str:
    meeting = recording.meeting
    return reverse(
        "staff:recording",
        kwargs={"council": meeting.council.slug, "pk": meeting.pk, "rec_id": recording.pk},
    )


def _labels(recording: Recording) -> tuple[list[str], dict[str, int | None]]:
    """The transcript's speaker labels in order of first appearance, and who each is
    said to be (the councillor named on its first segment)."""
    labels: list[str] = []
    named: dict[str, int | None] = {}
    rows = recording.segments.exclude(speaker="").order_by("position")
    for speaker, councillor_id in rows.values_list("speaker", "councillor_id"):
        if speaker not in named:
            labels.append(speaker)
            named[speaker] = councillor_id
    return labels, named


def _councillors(council: Council) -> list[Councillor]:
    return list(council.councillors.select_related("person").order_by("person__name"))


def _render_page(request: HttpRequest, recording: Recording, **bound: Any) -> HttpResponse:
    meeting = recording.meeting
    council = meeting.council
    items = list(meeting.items.order_by("sort_key", "id"))
    labels, named = _labels(recording)
    available, how = whisper_available()
    context = {
        "council": council,
        "meeting": meeting,
        "recording": recording,
        "captions_form": bound.get("captions_form") or forms.CaptionsForm(),
        "chapters_form": bound.get("chapters_form")
        or forms.ChaptersForm(recording=recording, items=items),
        "speakers_form": bound.get("speakers_form")
        or forms.SpeakersForm(labels=labels, councillors=_councillors(council), named=named),
        "timeline_error": bound.get("timeline_error", ""),
        "transcribe_error": bound.get("transcribe_error", ""),
        "whisper_available": available,
        "whisper_how": how,
        "has_timeline": ItemSpan.objects.filter(meeting=meeting).exists(),
        "segment_count": recording.segments.count(),
        "progress_percent": round(recording.transcript_progress * 100),
        "public_url": record.recording_url(recording),
    }
    return render(request, "staff/recordings/recording.html", context)


def _first_message(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_safe
def recordings(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    found = list(meeting.recordings.order_by("created_at", "id"))
    return render(
        request,
        "staff/recordings/recordings.html",
        {"council": here, "meeting": meeting, "recordings": found},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def recording_new(request: HttpRequest, council: str, pk: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    limit_mb = LiveSettings.for_council(here).video_max_mb
    form = forms.RecordingForm(
        _data(request),
        request.FILES if request.method == "POST" else None,
        meeting=meeting,
        max_bytes=limit_mb * MB,
    )
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            recording = record.add_recording(
                request.user,
                meeting,
                url=data["url"],
                data=b"".join(upload.chunks()) if upload is not None else None,
                title=data["title"],
                started_at=data["started_at"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Recording added."))
            return redirect(_page_url(recording))
    return render(
        request,
        "staff/recordings/recording_form.html",
        {"council": here, "meeting": meeting, "form": form, "limit_mb": limit_mb},
    )


@require_safe
def recording(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    return _render_page(request, _recording(_meeting(here, pk), rec_id))


@require_POST
def recording_captions(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _recording(_meeting(here, pk), rec_id)
    form = forms.CaptionsForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["captions"]
        if upload.size > record.CAPTIONS_MAX_BYTES:
            form.add_error("captions", _("A caption file must be 10 MB or smaller."))
        else:
            try:
                count = record.import_captions(request.user, found, data=b"".join(upload.chunks()))
            except ValidationError as error:
                if hasattr(error, "error_dict") and "file" in error.error_dict:
                    form.add_error("captions", error.error_dict["file"])
                else:
                    _apply(form, error)
            else:
                messages.success(
                    request,
                    _("Captions imported: %(count)d parts of the transcript.") % {"count": count},
                )
                return redirect(_page_url(found))
    return _render_page(request, found, captions_form=form)


@require_POST
def recording_chapters(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    found = _recording(meeting, rec_id)
    items = list(meeting.items.order_by("sort_key", "id"))
    form = forms.ChaptersForm(request.POST, recording=found, items=items)
    if form.is_valid():
        try:
            record.set_chapters(request.user, found, form.starts)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Start times of the items saved."))
            return redirect(_page_url(found))
    return _render_page(request, found, chapters_form=form)


@require_POST
def recording_timeline(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _recording(_meeting(here, pk), rec_id)
    try:
        count = record.chapters_from_timeline(request.user, found)
    except ValidationError as error:
        return _render_page(request, found, timeline_error=_first_message(error))
    messages.success(
        request, _("Start times taken from the live timeline: %(count)d.") % {"count": count}
    )
    return redirect(_page_url(found))


@require_POST
def recording_transcribe(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _recording(_meeting(here, pk), rec_id)
    try:
        record.request_transcription(request.user, found)
    except ValidationError as error:
        return _render_page(request, found, transcribe_error=_first_message(error))
    messages.success(request, _("The recording will be transcribed. Refresh to see progress."))
    return redirect(_page_url(found))


@require_POST
def recording_speakers(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    found = _recording(_meeting(here, pk), rec_id)
    labels, named = _labels(found)
    form = forms.SpeakersForm(
        request.POST, labels=labels, councillors=_councillors(here), named=named
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                for label, councillor in form.chosen().items():
                    if (councillor.pk if councillor else None) != named.get(label):
                        record.name_speaker(
                            request.user, found, speaker=label, councillor=councillor
                        )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Speakers saved."))
            return redirect(_page_url(found))
    return _render_page(request, found, speakers_form=form)


@require_POST
def recording_remove(request: HttpRequest, council: str, pk: int, rec_id: int) -> HttpResponse:
    here = _here(request, council)
    meeting = _meeting(here, pk)
    found = _recording(meeting, rec_id)
    record.remove_recording(request.user, found)
    messages.success(request, _("Recording removed."))
    return redirect(reverse("staff:recordings", kwargs={"council": here.slug, "pk": meeting.pk}))
