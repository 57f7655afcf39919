"""Caption files (WebVTT, SRT) read into cues; malformed ones refused with the line."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moothall.live.captions import CaptionError, Cue, parse, parse_srt, parse_webvtt

GOOD_VTT = """WEBVTT Kind: captions
Language: en

STYLE
::cue { color: yellow }

NOTE This file was made by the webcast provider.
It spans two lines.

intro-1
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Chair>Good evening and <b>welcome</b> to the meeting.</v>

00:04.500 --> 00:09.000
<v.loud Cllr Ada Jones>I move the <i>minutes</i> &amp; the <c.yellow>report</c>.

00:00:09.000 --> 00:00:12.000
CLLR SMITH: I second that.

01:00:00.000 --> 01:00:02.250
Thank you, <00:00:00.500>everyone.
"""

GOOD_SRT = """1
00:00:01,000 --> 00:00:04,000
<i>Good evening,</i>
everyone.

2
00:00:04,000 --> 00:00:06.500
Chair: Item one, apologies.

3
00:00:06,500 --> 00:00:08,000
{\\an8}Cllr Jones: None from me.
"""


def test_a_webvtt_file_gives_its_cues_with_speakers_and_without_markup():
    assert parse_webvtt(GOOD_VTT) == [
        Cue(1.0, 4.5, "Good evening and welcome to the meeting.", "Chair"),
        Cue(4.5, 9.0, "I move the minutes & the report.", "Cllr Ada Jones"),
        Cue(9.0, 12.0, "I second that.", "CLLR SMITH"),
        Cue(3600.0, 3602.25, "Thank you, everyone.", ""),
    ]


def test_an_srt_file_gives_its_cues_with_comma_or_dot_milliseconds():
    assert parse_srt(GOOD_SRT) == [
        Cue(1.0, 4.0, "Good evening, everyone.", ""),
        Cue(4.0, 6.5, "Item one, apologies.", "Chair"),
        Cue(6.5, 8.0, "None from me.", "Cllr Jones"),
    ]


def test_the_format_is_found_by_content_with_a_bom_or_in_windows_1252():
    assert parse(b"\xef\xbb\xbf" + GOOD_VTT.encode())[0].speaker == "Chair"
    assert len(parse(GOOD_SRT.encode("utf-8"))) == 3
    latin = "1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 opening \u2013 item 4\n".encode("cp1252")
    assert parse(latin) == [Cue(1.0, 2.0, "Caf\u00e9 opening \u2013 item 4", "")]
    assert parse(GOOD_VTT.replace("\n", "\r\n").encode())[1].start_s == 4.5


def test_an_srt_file_without_numbers_and_a_cue_right_after_the_header_are_read():
    assert parse(b"00:00:01,000 --> 00:00:02,000\nHello\n") == [Cue(1.0, 2.0, "Hello", "")]
    assert parse_webvtt("WEBVTT\n00:01.000 --> 00:02.000\nHi\n") == [Cue(1.0, 2.0, "Hi", "")]


def test_a_sentence_with_a_colon_late_in_it_has_no_speaker():
    (cue,) = parse_srt("1\n00:00:01,000 --> 00:00:02,000\nwe agreed the following: yes\n")
    assert cue.speaker == ""


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"   \n\n", 1, "empty"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHi\n", 3, "not a time"),
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nHi\n", 3, "ends before it starts"),
        (b"WEBVTT\n\n00:00:01.000 -->\nHi\n", 3, "no end time"),
        (b"WEBVTT\n\nHello there\nGeneral Kenobi\n", 3, "Expected a cue time"),
        (b"00:00:01.000 --> 00:00:02.000\nHi\n", 1, "WEBVTT"),
        (b"WEBVTT\n\nNOTE only a note\n", 3, "no captions"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\nno timing here\n", 6, "Expected a cue time"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\nstray words\n", 5, "cue number"),
        (b"1\n00:00:61,000 --> 00:00:62,000\nHi\n", 2, "not a time"),
        (b"Dear clerk, here are the minutes.\n", 1, "neither"),
        (b"\x00\x01\x02\x03binary\xff\xfe", 1, "not a text file"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", 1, "not a text file"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", 2, "no captions"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line_at_fault(data, line, words):
    with pytest.raises(CaptionError) as caught:
        parse(data)
    assert caught.value.line == line
    assert words.lower() in caught.value.message.lower()
    assert str(caught.value).startswith(f"Line {line}: ")


def test_a_webvtt_file_without_its_header_is_refused_by_the_webvtt_parser():
    with pytest.raises(CaptionError, match="WEBVTT") as caught:
        parse_webvtt("1\n00:00:01.000 --> 00:00:02.000\nHi\n")
    assert caught.value.line == 1


@given(st.binary(max_size=400))
def test_parsing_any_bytes_raises_nothing_but_a_caption_error(data):
    try:
        cues = parse(data)
    except CaptionError as error:
        cues, line = [], error.line
    else:
        line = 1
    assert line >= 1
    assert all(cue.end_s >= cue.start_s >= 0 for cue in cues)


_CAPTIONISH = st.lists(
    st.sampled_from(
        [
            "WEBVTT",
            "",
            "1",
            "00:00:01.000 --> 00:00:02.000",
            "00:01,5 --> 00:00,1",
            "NOTE x",
            "<v Bob>hi",
            "Cllr A: yes",
            "-->",
            "99999:00:00.000 --> 99999:59:59.999",
            "\x00",
            "\ud800",
        ]
    )
    | st.text(max_size=30),
    max_size=12,
).map("\n".join)


@given(_CAPTIONISH)
def test_parsing_any_text_raises_nothing_but_a_caption_error(text):
    for function in (parse_webvtt, parse_srt):
        with contextlib.suppress(CaptionError):
            function(text)
    with contextlib.suppress(CaptionError):
        parse(text.encode("utf-8", "surrogatepass"))
