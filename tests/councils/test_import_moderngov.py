"""``import_moderngov_councillors``: ModernGov GetCouncillorsByWard answers, real and made-up."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from moothall.core.models import AuditEntry
from moothall.councils.importers import ImportFailed
from moothall.councils.importers.moderngov import import_councillors, person_name
from moothall.councils.importers.sources import read_source
from moothall.councils.models import (
    Council,
    Councillor,
    KeyPost,
    Party,
    Person,
    TermOfOffice,
    Ward,
)
from tests import factories

pytestmark = pytest.mark.django_db

SOUTHWARK_SUMMARY = (
    "Southwark: 21 wards (21 new). Councillors: 63 created, 0 updated, 0 unchanged, 0 ended."
)


@pytest.fixture
def southwark(db) -> Council:
    return factories.CouncilFactory(
        name="London Borough of Southwark", short_name="Southwark", slug="southwark"
    )


@pytest.fixture
def lambeth(db) -> Council:
    return factories.CouncilFactory(
        name="London Borough of Lambeth", short_name="Lambeth", slug="lambeth"
    )


@pytest.fixture
def southwark_xml(moderngov) -> Path:
    return moderngov / "southwark.gov.uk" / "CouncillorsByWard.xml"


@pytest.fixture
def lambeth_xml(moderngov) -> Path:
    return moderngov / "lambeth.gov.uk" / "CouncillorsByWard.xml"


def run(council_slug: str, source, stderr: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command(
        "import_moderngov_councillors",
        "--council",
        council_slug,
        str(source),
        stdout=out,
        stderr=stderr or io.StringIO(),
    )
    return out.getvalue().strip()


def without_councillor(xml: bytes, councillor_id: str) -> bytes:
    pattern = rf"<councillor>\s*<councillorid>{councillor_id}</councillorid>.*?</councillor>"
    trimmed, count = re.subn(pattern.encode(), b"", xml, flags=re.S)
    assert count == 1
    return trimmed


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Ward, Party, Person, Councillor, TermOfOffice, KeyPost, AuditEntry)
    }


# --- The real answers ------------------------------------------------------------


def test_it_imports_southwarks_wards_and_councillors(southwark, southwark_xml):
    assert run("southwark", southwark_xml) == SOUTHWARK_SUMMARY

    assert Ward.objects.filter(council=southwark).count() == 21
    assert Councillor.objects.filter(council=southwark, source="moderngov").count() == 63
    assert Councillor.objects.filter(council=southwark).current().count() == 63
    assert Counter(
        Councillor.objects.filter(council=southwark).values_list("party__name", flat=True)
    ) == {"Labour": 48, "Liberal Democrat": 13, "Conservative": 2}
    assert TermOfOffice.objects.filter(councillor__council=southwark).count() == 66
    assert KeyPost.objects.filter(councillor__council=southwark).count() == 29


def test_a_southwark_councillor_has_their_published_work_details(southwark, southwark_xml):
    run("southwark", southwark_xml)

    radha = Councillor.objects.select_related("person", "party", "ward").get(
        council=southwark, source_id="50000524"
    )
    assert (radha.person.name, radha.person.slug) == ("Radha Burgess", "radha-burgess")
    assert radha.title == "Councillor Radha Burgess"
    assert radha.party is not None
    assert radha.party.name == "Labour"
    assert radha.ward is not None
    assert (radha.ward.name, radha.ward.slug) == ("Brunswick Park", "brunswick-park")
    assert radha.work_email == "radha.burgess@southwark.gov.uk"
    assert radha.work_phone == "020 7525 0328"
    assert radha.work_address == "c/o Members' Room\n160 Tooley Street\nSE1 2QH"
    assert radha.photo_url == (
        "http://moderngov.southwark.gov.uk/UserData/4/2/5/Info50000524/bigpic.jpg"
    )
    assert radha.surgery_details.splitlines() == [
        "Third Wednesday of every month 6.00pm – 7.00pm at Glebe Estate T&RA Hall, "
        "15 Fairwall House, Glebe Estate, Peckham Road, London SE5 8QW",
        "Your locally elected Labour councillors will be holding a mobile surgery programme "
        "in the Brunswick Park area to enable residents to raise any local issues.",
        "September – Wells Way Triangle",
        "October – D’Eynsford Estate",
        "November – Selborne Village",
        "December – Southampton Way Estate",
        "January – Benhill Road/Sansom Street",
        "Please note there will be no surgeries in August, Easter week, Christmas and New Year.",
    ]
    assert list(radha.terms.values_list("start_date", "end_date")) == [(dt.date(2014, 5, 27), None)]
    assert list(radha.key_posts.values_list("title", flat=True)) == [
        "Deputy Cabinet Member for Digital Strategy"
    ]


def test_southwarks_mayor_and_a_councillor_with_two_posts_and_two_terms(southwark, southwark_xml):
    run("southwark", southwark_xml)

    mayor = Councillor.objects.get(council=southwark, key_posts__title="The Mayor of Southwark")
    assert (mayor.source_id, mayor.person.name) == ("152", "Dora Dixon-Fyle MBE")
    assert list(mayor.terms.values_list("start_date", "end_date")) == [(dt.date(1998, 5, 7), None)]

    mills = Councillor.objects.get(council=southwark, source_id="910")
    assert list(mills.key_posts.values_list("title", "order")) == [
        ("Cabinet Member for Children and Schools", 0),
        ("Chair of Corporate Parenting Committee", 1),
    ]

    livingstone = Councillor.objects.get(council=southwark, source_id="169")
    assert list(livingstone.terms.order_by("start_date").values_list("start_date", "end_date")) == [
        (dt.date(1995, 12, 7), dt.date(1998, 5, 7)),
        (dt.date(2006, 5, 4), None),
    ]
    assert livingstone.work_email == "richard.livingstone_housingenquiries@southwark.gov.uk"


def test_it_imports_lambeth_where_half_the_councillors_give_no_term(lambeth, lambeth_xml):
    errors = io.StringIO()

    assert run("lambeth", lambeth_xml, stderr=errors) == (
        "Lambeth: 21 wards (21 new). Councillors: 63 created, 0 updated, 0 unchanged, 0 ended."
    )

    assert Councillor.objects.filter(council=lambeth).current().count() == 63
    # Listed for a ward but with no term given: one open term, start unknown.
    assert (
        TermOfOffice.objects.filter(
            councillor__council=lambeth, start_date=None, end_date=None
        ).count()
        == 31
    )
    assert Counter(
        Councillor.objects.filter(council=lambeth).values_list("party__name", flat=True)
    ) == {"Labour": 58, "Conservative": 3, "Green": 1, None: 1}
    assert Councillor.objects.get(council=lambeth, party=None).title == (
        "Councillor Martin Tiedemann"
    )
    mayor = Councillor.objects.get(council=lambeth, source_id="148")
    assert (mayor.title, mayor.person.name) == ("Mayor Donatus Anyanwu", "Donatus Anyanwu")
    assert list(
        Councillor.objects.get(council=lambeth, source_id="169").key_posts.values_list(
            "title", flat=True
        )
    ) == ["Leader of the Council"]
    # The answer says Sonia Winifred's term ended before it began; she is still listed.
    assert errors.getvalue() == (
        "Warning: Councillor Sonia Winifred (8893): a term ends (2014-07-09) before it starts "
        "(2014-08-14); it is kept open\n"
    )
    sonia = Councillor.objects.get(council=lambeth, source_id="8893")
    assert list(sonia.terms.values_list("start_date", "end_date")) == [(dt.date(2014, 8, 14), None)]


@pytest.mark.parametrize(
    ("full", "name"),
    [
        ("Councillor Radha Burgess", "Radha Burgess"),
        ("Cllr Hattie Homeworth", "Hattie Homeworth"),
        ("Cllr. Jo Bloggs", "Jo Bloggs"),
        ("Deputy Mayor Saleha Jaffer", "Saleha Jaffer"),
        ("The Lord Mayor Councillor Ann Smith", "Ann Smith"),
        ("Councillor", "Councillor"),
        ("Mayorga Lopez", "Mayorga Lopez"),
    ],
)
def test_a_persons_name_loses_the_titles_they_are_addressed_by(full, name):
    assert person_name(full) == name


def test_it_writes_one_audit_entry_for_an_import(southwark, southwark_xml):
    run("southwark", southwark_xml)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.council, entry.actor) == ("councillors.imported", southwark, None)
    assert entry.details == {
        "source": str(southwark_xml),
        "wards": 21,
        "wards_created": 21,
        "created": 63,
        "updated": 0,
        "unchanged": 0,
        "ended": 0,
        "warnings": 0,
    }


# --- Running it again ------------------------------------------------------------


def test_importing_the_same_answer_again_changes_nothing(southwark, southwark_xml):
    run("southwark", southwark_xml)
    before = table_sizes()

    assert run("southwark", southwark_xml) == (
        "Southwark: 21 wards (0 new). Councillors: 0 created, 0 updated, 63 unchanged, 0 ended."
    )
    assert table_sizes() == {**before, "AuditEntry": before["AuditEntry"] + 1}


def test_a_changed_answer_updates_the_councillor_in_place(southwark, southwark_xml, tmp_path):
    run("southwark", southwark_xml)
    radha = Councillor.objects.get(council=southwark, source_id="50000524")
    changed = tmp_path / "changed.xml"
    changed.write_bytes(
        southwark_xml.read_bytes()
        .replace(b"radha.burgess@southwark.gov.uk", b"radha.b@southwark.gov.uk")
        .replace(
            b"<keyposts>Deputy Cabinet Member for Digital Strategy</keyposts>",
            b"<keyposts>Cabinet Member for Digital</keyposts>",
        )
    )

    assert run("southwark", changed) == (
        "Southwark: 21 wards (0 new). Councillors: 0 created, 1 updated, 62 unchanged, 0 ended."
    )

    radha.refresh_from_db()
    assert radha.work_email == "radha.b@southwark.gov.uk"
    assert list(radha.key_posts.values_list("title", flat=True)) == ["Cabinet Member for Digital"]
    assert Councillor.objects.filter(council=southwark).count() == 63
    assert Person.objects.count() == 63


def test_a_councillor_missing_from_a_new_answer_has_their_term_ended_not_deleted(
    southwark, southwark_xml
):
    data = southwark_xml.read_bytes()
    import_councillors(southwark, data, today=dt.date(2024, 5, 1))

    summary = import_councillors(
        southwark, without_councillor(data, "50000524"), today=dt.date(2024, 5, 2)
    )

    assert (summary.created, summary.updated, summary.unchanged, summary.ended) == (0, 0, 62, 1)
    radha = Councillor.objects.get(council=southwark, source_id="50000524")
    assert list(radha.terms.values_list("start_date", "end_date")) == [
        (dt.date(2014, 5, 27), dt.date(2024, 5, 2))
    ]
    on_the_3rd = Councillor.objects.filter(council=southwark).current(on=dt.date(2024, 5, 3))
    assert on_the_3rd.count() == 62
    assert not on_the_3rd.filter(pk=radha.pk).exists()

    # Listed again later: the same term is open again, and nobody is duplicated.
    summary = import_councillors(southwark, data, today=dt.date(2024, 6, 1))
    assert (summary.created, summary.updated, summary.ended) == (0, 1, 0)
    assert list(radha.terms.values_list("start_date", "end_date")) == [(dt.date(2014, 5, 27), None)]
    assert Councillor.objects.filter(council=southwark).count() == 63


def test_a_councillor_without_terms_who_comes_back_gets_a_new_open_term(lambeth, lambeth_xml):
    data = lambeth_xml.read_bytes()
    import_councillors(lambeth, data, today=dt.date(2024, 5, 1))
    import_councillors(lambeth, without_councillor(data, "169"), today=dt.date(2024, 5, 2))

    summary = import_councillors(lambeth, data, today=dt.date(2024, 6, 1))

    assert (summary.created, summary.updated, summary.ended) == (0, 1, 0)
    peck = Councillor.objects.get(council=lambeth, source_id="169")
    assert list(peck.terms.order_by("pk").values_list("start_date", "end_date")) == [
        (None, dt.date(2024, 5, 2)),
        (dt.date(2024, 6, 1), None),
    ]


def test_a_councillor_without_terms_left_out_and_back_on_the_same_day_stays_in_office(
    lambeth, lambeth_xml
):
    # A clerk sees "1 ended" after a glitchy answer and imports again the same day.
    data = lambeth_xml.read_bytes()
    import_councillors(lambeth, data, today=dt.date(2024, 5, 1))
    import_councillors(lambeth, without_councillor(data, "169"), today=dt.date(2024, 5, 2))

    summary = import_councillors(lambeth, data, today=dt.date(2024, 5, 2))

    assert (summary.created, summary.updated, summary.unchanged, summary.ended) == (0, 1, 62, 0)
    peck = Councillor.objects.get(council=lambeth, source_id="169")
    assert list(peck.terms.values_list("start_date", "end_date")) == [(None, None)]
    assert Councillor.objects.current(on=dt.date(2024, 5, 3)).filter(pk=peck.pk).exists()


def test_ending_leaves_other_councils_and_other_sources_alone(southwark, southwark_xml):
    hand_made = factories.CouncillorFactory(council=southwark)
    elsewhere = factories.CouncillorFactory(source="moderngov", source_id="50000524")
    data = southwark_xml.read_bytes()
    import_councillors(southwark, without_councillor(data, "1800"), today=dt.date(2024, 5, 1))

    summary = import_councillors(
        southwark, without_councillor(data, "50000524"), today=dt.date(2024, 5, 2)
    )

    assert summary.ended == 1
    assert list(hand_made.terms.values_list("end_date", flat=True)) == [None]
    assert list(elsewhere.terms.values_list("end_date", flat=True)) == [None]


def test_wards_are_matched_by_name_and_a_clashing_slug_gets_a_number(southwark, southwark_xml):
    existing = factories.WardFactory(council=southwark, name="Brunswick Park", slug="bp")
    factories.WardFactory(council=southwark, name="Camberwell Greens", slug="camberwell-green")

    assert run("southwark", southwark_xml) == (
        "Southwark: 21 wards (20 new). Councillors: 63 created, 0 updated, 0 unchanged, 0 ended."
    )

    assert Councillor.objects.filter(council=southwark, ward=existing).count() == 3
    assert Ward.objects.get(council=southwark, name="Camberwell Green").slug == "camberwell-green-2"


# --- Home addresses are never stored -------------------------------------------------

HOME_ADDRESS_STRINGS = [
    "14 Quillwort Lane",
    "Nethercombe-under-Brack",
    "MH9 4QW",
    "01632 961234",
    "07700 900123",
    "hattie.private@example.net",
    "Bramblegate House",
    "MH9 7XT",
    "01632 968888",
    "07700 900999",
    "omar.athome@example.org",
]
# What the real answers put in <homeaddress> (two mobiles, a phone, an email).
REAL_HOME_ADDRESS_STRINGS = [
    "07594894563",
    "020 8670 8083",
    "07814567690",
    "richard.livingstone@southwark.gov.uk",
]


def everything_stored() -> str:
    """Every text value of every councils table and of the audit log, as one string."""
    text_fields = (models.CharField, models.TextField, models.JSONField)
    chunks = []
    for model in (Council, Ward, Party, Person, Councillor, TermOfOffice, KeyPost, AuditEntry):
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, text_fields)]
        for row in model.objects.values_list(*names):
            chunks.extend(json.dumps(v) if isinstance(v, dict | list) else str(v) for v in row)
    return "\n".join(chunks)


def test_a_home_address_in_the_answer_is_never_stored(council, fixtures):
    source = fixtures / "moderngov_home_address.xml"
    for text in HOME_ADDRESS_STRINGS:  # the fixture does carry them
        assert text in source.read_text()

    assert run("mootshire", source) == (
        "Mootshire: 1 wards (1 new). Councillors: 2 created, 0 updated, 0 unchanged, 0 ended."
    )

    stored = everything_stored()
    assert "Hattie Homeworth" in stored
    assert [text for text in HOME_ADDRESS_STRINGS if text in stored] == []
    hattie = Councillor.objects.get(council=council, source_id="7001")
    assert (hattie.work_address, hattie.work_phone, hattie.work_email) == (
        "Town Hall\nMarket Square\nMH1 1ZZ",
        "01632 960000",
        "hattie.homeworth@council.example",
    )
    assert hattie.photo_url == "https://moderngov.example.gov.uk/UserData/7001/smallpic.jpg"
    assert list(hattie.key_posts.values_list("title", flat=True)) == [
        "Cabinet Member for Housing",
        "Chair of Licensing Committee",
    ]
    omar = Councillor.objects.get(council=council, source_id="7002")
    assert (omar.person.name, omar.party, omar.work_address, omar.work_phone, omar.work_email) == (
        "Omar Outhouse",
        None,
        "",
        "",
        "",
    )


def test_the_real_answers_home_details_are_never_stored(southwark, lambeth, moderngov):
    run("southwark", moderngov / "southwark.gov.uk" / "CouncillorsByWard.xml")
    run("lambeth", moderngov / "lambeth.gov.uk" / "CouncillorsByWard.xml")

    stored = everything_stored()
    assert [text for text in REAL_HOME_ADDRESS_STRINGS if text in stored] == []


# --- Bad input ------------------------------------------------------------------------


def refused(council_slug: str, source) -> str:
    with pytest.raises(CommandError) as error:
        run(council_slug, source)
    return str(error.value)


def test_denbighshires_html_redirect_page_is_refused_and_nothing_is_written(council, moderngov):
    message = refused("mootshire", moderngov / "denbighshire.gov.uk" / "CouncillorsByWard.xml")

    assert message == (
        "This is not a ModernGov GetCouncillorsByWard answer (the document is <script>)."
    )
    assert table_sizes() == dict.fromkeys(table_sizes(), 0)


def test_a_truncated_answer_is_refused_and_the_last_import_stands(
    southwark, southwark_xml, tmp_path
):
    run("southwark", southwark_xml)
    before = table_sizes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(southwark_xml.read_bytes()[:5000])

    assert refused("southwark", truncated) == "This is not well-formed XML (line 96, column 1)."
    assert table_sizes() == before
    assert Councillor.objects.filter(council=southwark).current().count() == 63


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This is not well-formed XML (line 1, column 0)."),
        (
            (Path(__file__).parents[1] / "fixtures" / "moderngov_other_root.xml").read_bytes(),
            "This is not a ModernGov GetCouncillorsByWard answer (the document is <committees>).",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b"<councillorsbyward>&a;</councillorsbyward>",
            "The XML uses entities or a DTD, which are refused.",
        ),
        (
            b"<councillorsbyward><wards></wards></councillorsbyward>",
            "The answer lists no councillors.",
        ),
        (
            b"<councillorsbyward><wards><ward><wardtitle>A</wardtitle><councillors>"
            b"<councillor><councillorid>1</councillorid><fullusername>Cllr A</fullusername>"
            b"</councillor></councillors></ward><ward><wardtitle>B</wardtitle><councillors>"
            b"<councillor><councillorid>1</councillorid><fullusername>Cllr B</fullusername>"
            b"</councillor></councillors></ward></wards></councillorsbyward>",
            "Councillor id 1 appears twice.",
        ),
        (
            b"<councillorsbyward><wards><ward><wardtitle>A</wardtitle><councillors>"
            b"<councillor><councillorid>1</councillorid><fullusername>Cllr A</fullusername>"
            b"</councillor><councillor><councillorid>2</councillorid>"
            b"<fullusername>Cllr B</fullusername><termsofoffice><termofoffice>"
            b"<startdate>31/02/2014</startdate><enddate>unspecified</enddate>"
            b"</termofoffice></termsofoffice></councillor></councillors></ward></wards>"
            b"</councillorsbyward>",
            "Councillor 2 has a term date “31/02/2014” that is not dd/mm/yyyy.",
        ),
        (
            b"<councillorsbyward><wards><ward><wardtitle></wardtitle></ward></wards>"
            b"</councillorsbyward>",
            "A <ward> has a missing or over-long <wardtitle>.",
        ),
    ],
    ids=["empty", "other-root", "entities", "no-councillors", "twice", "bad-date", "no-ward"],
)
def test_an_answer_that_is_not_usable_is_refused_before_anything_is_written(
    council, tmp_path, content, message
):
    source = tmp_path / "answer.xml"
    source.write_bytes(content)

    assert refused("mootshire", source) == message
    assert table_sizes() == dict.fromkeys(table_sizes(), 0)


def test_bad_optional_details_are_left_out_with_a_warning(council, tmp_path):
    source = tmp_path / "answer.xml"
    source.write_bytes(
        b"<councillorsbyward><wards><ward><wardtitle>Mill Green</wardtitle><councillors>"
        b"<councillor><councillorid>9</councillorid><fullusername>Cllr Ann Example</fullusername>"
        b"<photobigurl>javascript:alert(1)</photobigurl>"
        b"<workaddress><email>not an email</email><phone>" + b"1" * 60 + b"</phone></workaddress>"
        b"</councillor></councillors></ward></wards></councillorsbyward>"
    )
    errors = io.StringIO()

    run("mootshire", source, stderr=errors)

    assert errors.getvalue().splitlines() == [
        "Warning: Cllr Ann Example (9): the work phone number is too long and was left out",
        "Warning: Cllr Ann Example (9): the work email “not an email” is not an email address",
        "Warning: Cllr Ann Example (9): the photo address is not a usable web address",
    ]
    ann = Councillor.objects.get(council=council, source_id="9")
    assert (ann.photo_url, ann.work_email, ann.work_phone) == ("", "", "")


def test_an_unknown_council_is_a_clear_error(db, southwark_xml):
    assert refused("nowhere", southwark_xml) == "No council has the slug “nowhere”."


def test_a_missing_file_is_a_clear_error(council, tmp_path):
    assert refused("mootshire", tmp_path / "nope.xml") == (
        f"Cannot read {tmp_path / 'nope.xml'}: No such file or directory."
    )


# --- From a URL (a local server: tests never reach the network) -------------------------

ANSWER_PATH = "/mgWebService.asmx/GetCouncillorsByWard"


@pytest.fixture
def web_server(southwark_xml) -> Iterator[str]:
    body = southwark_xml.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == ANSWER_PATH:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path == "/moved":
                self.send_response(302)
                self.send_header("Location", ANSWER_PATH)
                self.end_headers()
            elif path == "/to-ftp":
                self.send_response(302)
                self.send_header("Location", "ftp://127.0.0.1/answer.xml")
                self.end_headers()
            else:
                self.send_error(404, "Not Found")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # A proxy set in the environment must not carry requests for the local server away.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_it_imports_from_a_url(southwark, web_server):
    assert run("southwark", web_server + ANSWER_PATH) == SOUTHWARK_SUMMARY

    assert AuditEntry.objects.get().details["source"] == web_server + ANSWER_PATH


def test_the_audit_log_and_messages_leave_out_a_urls_query(southwark, web_server):
    run("southwark", web_server + ANSWER_PATH + "?key=abc")

    assert AuditEntry.objects.get().details["source"] == web_server + ANSWER_PATH
    assert refused("southwark", web_server + "/missing?key=abc") == (
        f"{web_server}/missing answered HTTP 404 Not Found."
    )


def test_a_url_with_a_password_in_it_is_refused(southwark, web_server):
    address = web_server.replace("http://", "http://user:secret@") + ANSWER_PATH

    assert refused("southwark", address) == "Put no user name or password in the address."


def test_it_follows_a_redirect_to_the_answer(southwark, web_server):
    assert run("southwark", web_server + "/moved") == SOUTHWARK_SUMMARY


def test_a_url_that_answers_an_error_is_refused(southwark, web_server):
    assert refused("southwark", web_server + "/missing") == (
        f"{web_server}/missing answered HTTP 404 Not Found."
    )
    assert table_sizes() == dict.fromkeys(table_sizes(), 0)


def test_a_redirect_away_from_the_web_is_refused(southwark, web_server):
    assert refused("southwark", web_server + "/to-ftp") == (
        "The server redirected to ftp://127.0.0.1/answer.xml, which is not an http(s) address."
    )


def test_an_answer_larger_than_the_cap_is_refused(web_server):
    with pytest.raises(ImportFailed) as error:
        read_source(web_server + ANSWER_PATH, max_bytes=1000)

    assert str(error.value) == (f"{web_server}{ANSWER_PATH} is larger than the 1000 bytes allowed.")


def test_a_server_that_does_not_answer_is_refused(db):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        with pytest.raises(ImportFailed) as error:
            read_source(f"http://127.0.0.1:{port}/slow", timeout=0.2)
    finally:
        listener.close()

    assert str(error.value) == f"http://127.0.0.1:{port}/slow did not answer within 0.2 seconds."
