"""Caption files (WebVTT and SRT) read into cues: when, what was said and by whom.

Pure: no database. :func:`parse` takes the uploaded bytes, finds the encoding (UTF-8,
with or without a byte-order mark, UTF-16 with one, else Windows-1252) and the format
(by content, never by file name) and returns the cues; anything malformed raises
:class:`CaptionError` naming the line, and nothing else is ever raised.

The speaker comes from a WebVTT voice tag (``<v Cllr Jones>``) or a ``NAME:`` prefix
(``CLLR JONES: Thank you, chair.``); formatting tags, inner timestamps and SRT's
``{\\an8}`` positioning codes are dropped; NOTE, STYLE and REGION blocks and cue settings
are ignored.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_SPEAKER_LENGTH = 200


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    speaker: str = ""


class CaptionError(ValueError):
    """A caption file that cannot be read, with the (1-based) line where it went wrong."""

    def __init__(self, message: str, line: int) -> None:
        self.message = message
        self.line = line
        super().__init__(message, line)

    def __str__(self) -> str:
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


# Hours are optional in WebVTT and required in SRT; both are accepted everywhere. At most
# four digits of hours (a meeting is not a year long, and it keeps the number sane).
_TIMESTAMP = re.compile(r"^(?:(\d{1,4}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_ASS_CODE = re.compile(r"\{\\[^}]*\}")
_NAME_PREFIX = re.compile(r"^(?:>>\s*)?([A-Z][\w.'’\- ]{0,59}?)\s*:\s+(\S.*)$", re.DOTALL)
_SPACES = re.compile(r"\s+")
# Control characters no caption file holds (tab, line feed, form feed, carriage return
# are fine): their presence means a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(text: str) -> None:
    """Refuse text that is not text: control characters or unpaired surrogates."""
    found = _CONTROL.search(text)
    if found is None:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            position = error.start
        else:
            return
    else:
        position = found.start()
    raise CaptionError(
        _("This is not a text file (it holds characters no caption file has)."),
        text.count("\n", 0, position) + 1,
    )


def _lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    # Only \r\n, \r and \n end a line in these formats (not the Unicode separators).
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _timestamp(value: str, line: int) -> float:
    found = _TIMESTAMP.match(value.strip())
    if found is None:
        raise CaptionError(
            _("“%(value)s” is not a time (write it as 00:01:02.500).") % {"value": value[:40]},
            line,
        )
    hours, minutes, seconds, fraction = found.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def _timing(value: str, line: int) -> tuple[float, float]:
    """``start --> end [settings]`` as seconds; settings are ignored."""
    left, _arrow, right = value.partition("-->")
    parts = right.split()
    if not parts:
        raise CaptionError(_("The cue has no end time."), line)
    start, end = _timestamp(left, line), _timestamp(parts[0], line)
    if end < start:
        raise CaptionError(_("The cue ends before it starts."), line)
    return start, end


def _payload(lines: list[str]) -> tuple[str, str]:
    """A cue's text and speaker, without markup."""
    raw = "\n".join(lines)
    voice = _VOICE.search(raw)
    speaker = voice.group(1).strip() if voice else ""
    text = html.unescape(_ASS_CODE.sub("", _TAG.sub("", raw)))
    text = _SPACES.sub(" ", text).strip()
    if not speaker:
        prefix = _NAME_PREFIX.match(text)
        if prefix is not None and len(prefix.group(1).split()) <= 5:
            speaker, text = prefix.group(1).strip(), prefix.group(2).strip()
    speaker = _SPACES.sub(" ", html.unescape(speaker)).strip()[:MAX_SPEAKER_LENGTH]
    return text, speaker


def _blocks(lines: list[str], first: int = 0) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if line.strip():
            current.append((index + 1, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cues_or_error(cues: list[Cue], lines: list[str]) -> list[Cue]:
    if not cues:
        last = max((n for n, line in enumerate(lines, start=1) if line.strip()), default=1)
        raise CaptionError(_("The file has no captions."), last)
    return cues


def parse_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file (which must start with the line ``WEBVTT``)."""
    _check_text(text)
    lines = _lines(text)
    if not "".join(lines).strip():
        raise CaptionError(_("The file is empty."), 1)
    header = lines[0]
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionError(_("A WebVTT file must start with the line “WEBVTT”."), 1)
    cues: list[Cue] = []
    blocks = _blocks(lines)
    header_block = blocks.pop(0)
    # A cue straight after the header, without the blank line, is taken all the same.
    arrows = [i for i, (_n, line) in enumerate(header_block) if "-->" in line]
    if arrows:
        blocks.insert(0, header_block[arrows[0] :])
    for block in blocks:
        number, first = block[0]
        keyword = first.split(maxsplit=1)[0] if first.split() else ""
        if keyword in {"NOTE", "STYLE", "REGION"} and "-->" not in first:
            continue
        if "-->" in first:
            timing_at = 0
        elif len(block) > 1 and "-->" in block[1][1]:
            timing_at = 1  # a cue identifier comes first
        else:
            raise CaptionError(_("Expected a cue time (00:00:01.000 --> 00:00:04.000)."), number)
        line_number, timing = block[timing_at]
        start, end = _timing(timing, line_number)
        words, speaker = _payload([line for _n, line in block[timing_at + 1 :]])
        if words:
            cues.append(Cue(start, end, words, speaker))
    return _cues_or_error(cues, lines)


def parse_srt(text: str) -> list[Cue]:
    """The cues of a SubRip (SRT) file: number, times (comma or dot), text."""
    _check_text(text)
    lines = _lines(text)
    if not "".join(lines).strip():
        raise CaptionError(_("The file is empty."), 1)
    cues: list[Cue] = []
    for block in _blocks(lines):
        number, first = block[0]
        if first.strip().isdigit() and len(block) > 1 and "-->" in block[1][1]:
            timing_at = 1
        elif "-->" in first:
            timing_at = 0  # some files leave the numbers out
        elif first.strip().isdigit():
            raise CaptionError(
                _("Expected a cue time (00:00:01,000 --> 00:00:04,000)."),
                block[1][0] if len(block) > 1 else number,
            )
        else:
            raise CaptionError(_("Expected a cue number or a cue time."), number)
        line_number, timing = block[timing_at]
        start, end = _timing(timing, line_number)
        words, speaker = _payload([line for _n, line in block[timing_at + 1 :]])
        if words:
            cues.append(Cue(start, end, words, speaker))
    return _cues_or_error(cues, lines)


def decode(data: bytes) -> str:
    """Caption bytes as text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    if not data.strip():
        raise CaptionError(_("The file is empty."), 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise CaptionError(_("This is not a text file in a known encoding."), 1)


def parse(data: bytes) -> list[Cue]:
    """The cues of a caption file, its format found by its content."""
    text = decode(data)
    _check_text(text)
    lines = _lines(text)
    if lines[0].startswith("WEBVTT"):
        return parse_webvtt(text)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.isdigit():
            return parse_srt(text)
        if "-->" in stripped:
            start = stripped.partition("-->")[0]
            if "," in start:
                return parse_srt(text)
            raise CaptionError(_("A WebVTT file must start with the line “WEBVTT”."), 1)
        raise CaptionError(
            _("This is neither a WebVTT nor an SRT caption file."),
            number,
        )
    raise CaptionError(_("The file is empty."), 1)
