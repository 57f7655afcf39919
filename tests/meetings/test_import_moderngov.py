"""``import_moderngov_meetings``: committees, meetings, agendas, papers and attendance.

No real ModernGov meeting answer is published for us to copy, so the fixtures in
``tests/meetings/fixtures/moderngov/mootshire/`` are made up, **built from the documented
shape** of the ``mgWebService.asmx`` answers (GetCommittees, GetMeetings, GetMeeting) and
from public projects that parse them (see that folder's README).

Nothing here reaches outside the machine: the council's "ModernGov site" is a local
``http.server`` on 127.0.0.1, and the fixtures' links are rewritten to point at it.
``localhost`` on the same port stands for another host: it must never be asked for
anything, and the server's log proves it was not.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import CommandError, call_command

from moothall.core.models import AuditEntry
from moothall.councils.models import Councillor
from moothall.demo.pdf import make_pdf
from moothall.meetings.importers import ImportFailed
from moothall.meetings.importers.moderngov import (
    LONDON,
    import_meetings,
    parse_meeting,
    plain_text,
)
from moothall.meetings.importers.sources import SavedAnswers, Site, fetch
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Document,
    Meeting,
    MeetingSettings,
    StoredFile,
    TimelineEntry,
)
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "moderngov" / "mootshire"
COUNCIL_HOST = "moderngov.mootshire.example"
OTHER_HOST = "elsewhere.mootshire.example"
RANGE = ["--from", "2024-01-01", "--to", "2030-12-31"]
SERVICE = "/mgWebService.asmx"

FIRST_RUN = (
    "Mootshire: 4 bodies (4 new, 0 updated).\n"
    "Meetings 2024-01-01 to 2030-12-31: 3 (3 new, 0 updated, 0 unchanged).\n"
    "Agenda items: 11 new, 0 updated.\n"
    "Documents: 7 downloaded, 6 not downloaded.\n"
    "Meetings with attendance recorded: 1."
)
SECOND_RUN = (
    "Mootshire: 4 bodies (0 new, 0 updated).\n"
    "Meetings 2024-01-01 to 2030-12-31: 3 (0 new, 0 updated, 3 unchanged).\n"
    "Agenda items: 0 new, 0 updated.\n"
    "Documents: 0 downloaded, 6 not downloaded.\n"
    "Meetings with attendance recorded: 0."
)


def docx(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


# Every paper the site serves, by the path (and query) a request asks for.
PAPERS: dict[str, bytes] = {
    "/documents/g1001/Agenda%20frontsheet%2024th-Jan-2024%2019.00%20Council.pdf?T=0": make_pdf(
        "Council, 24 January 2024, 7pm, Council Chamber.", title="Agenda"
    ),
    "/mgConvert2PDF.aspx?ID=5009": (
        b"<!DOCTYPE html><html><body><h1>Minutes</h1>"
        b"<p>Council set the council tax for 2024/25.</p></body></html>"
    ),
    "/mgConvert2PDF.aspx?ID=5001": make_pdf("Minutes of 22 November 2023.", title="Minutes"),
    "/mgConvert2PDF.aspx?ID=5002": make_pdf("The budget for 2024/25.", title="Budget report"),
    "/documents/s5003/Appendix%20A%20Fees.docx": docx("Fees and charges 2024/25"),
    "/documents/s5004/Appendix%20B%20Fees.xlsx": xlsx(),
    "/mgConvert2PDF.aspx?ID=5011": make_pdf("Tender prices.", title="Exempt"),
    "/mgConvert2PDF.aspx?ID=5005": make_pdf("Valuation.", title="Exempt"),
    "/mgConvert2PDF.aspx?ID=5006": make_pdf("Site plan of Quarry Lane.", title="Site plan"),
    "/mgConvert2PDF.aspx?ID=5007": make_pdf("Staffing.", title="Confidential"),
    "/mgConvert2PDF.aspx?ID=5020": make_pdf("The bin contract.", title="Bins"),
    "/amendment.pdf": make_pdf("Green Group amendment.", title="Amendment"),
}
NEVER_ASKED_FOR = [
    "/amendment.pdf",  # on the other host
    "/mgConvert2PDF.aspx?ID=5011",  # restricted
    "/mgConvert2PDF.aspx?ID=5005",  # restricted
    "/mgConvert2PDF.aspx?ID=5007",  # restricted, on a confidential item
]


@dataclass
class LocalSite:
    """The council's ModernGov site, on this machine only."""

    url: str
    port: int
    answers: dict[str, bytes]  # file name → answer served for it
    papers: dict[str, bytes]
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (Host header, path)

    def local(self, data: bytes) -> bytes:
        """Fixture bytes with their hosts rewritten to this server."""
        return data.replace(COUNCIL_HOST.encode(), f"127.0.0.1:{self.port}".encode()).replace(
            OTHER_HOST.encode(), f"localhost:{self.port}".encode()
        )

    def paths(self, host: str = "") -> list[str]:
        return [path for h, path in self.requests if not host or h.split(":")[0] == host]


def _answer_name(path: str, query: dict[str, str]) -> str | None:
    operation = path.removeprefix(SERVICE + "/")
    if operation == "GetCommittees":
        return "GetCommittees.xml"
    if operation == "GetMeetings":
        for name in ("sFromDate", "sToDate"):  # ModernGov wants dd/mm/yyyy
            dt.datetime.strptime(query[name], "%d/%m/%Y")
        return f"GetMeetings_{query['lCommitteeId']}.xml"
    if operation == "GetMeeting":
        return f"GetMeeting_{query['lMeetingId']}.xml"
    return None


@pytest.fixture
def site() -> Iterator[LocalSite]:
    state: dict[str, LocalSite] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            local = state["site"]
            local.requests.append((self.headers.get("Host", ""), self.path))
            parts = urlsplit(self.path)
            body: bytes | None = None
            if self.path in local.redirects:
                self.send_response(302)
                self.send_header("Location", local.redirects[self.path])
                self.end_headers()
                return
            if parts.path.startswith(SERVICE + "/"):
                try:
                    name = _answer_name(parts.path, dict(parse_qsl(parts.query)))
                except (KeyError, ValueError):
                    self.send_error(500, "Missing or bad parameter")
                    return
                body = local.answers.get(name) if name else None
                if body is None and name and name.startswith("GetMeeting_"):
                    # What the service answers for a meeting id it does not know.
                    body = b'<?xml version="1.0" encoding="utf-8"?><meeting></meeting>'
            else:
                body = local.papers.get(self.path)
            if body is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    local = LocalSite(url=f"http://127.0.0.1:{port}", port=port, answers={}, papers=dict(PAPERS))
    local.answers = {p.name: local.local(p.read_bytes()) for p in FIXTURES.glob("Get*.xml")}
    state["site"] = local
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield local
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # A proxy set in the environment must not carry requests for the local server away.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def mootshire(council, site):
    """Mootshire, its ModernGov site configured, its councillors imported from ModernGov."""
    council.moderngov_url = site.url
    council.save(update_fields=["moderngov_url"])
    call_command(
        "import_moderngov_councillors",
        "--council",
        "mootshire",
        str(FIXTURES / "GetCouncillorsByWard.xml"),
        stdout=io.StringIO(),
    )
    return council


@pytest.fixture
def answers(tmp_path, site) -> Path:
    """The saved answers as a folder, their links pointing at the local site."""
    folder = tmp_path / "answers"
    folder.mkdir()
    for name, data in site.answers.items():
        (folder / name).write_bytes(data)
    return folder


def run(*args: str, stderr: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command(
        "import_moderngov_meetings",
        "--council",
        "mootshire",
        *RANGE,
        *args,
        stdout=out,
        stderr=stderr or io.StringIO(),
    )
    return out.getvalue().strip()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Body,
            Meeting,
            AgendaItem,
            Document,
            StoredFile,
            Attendance,
            TimelineEntry,
            AuditEntry,
        )
    }


def items_of(meeting_id: str) -> list[tuple[str, str, str, bool, int | None]]:
    return list(
        AgendaItem.objects.filter(meeting__source_id=meeting_id)
        .order_by("sort_key")
        .values_list("number", "title", "kind", "is_exempt", "exempt_paragraph")
    )


# --- The fixtures round-trip into the right records ----------------------------------------


def test_it_imports_a_councils_meetings_from_saved_answers(mootshire, answers, site):
    errors = io.StringIO()

    assert run(str(answers), stderr=errors) == FIRST_RUN

    assert list(
        Body.objects.filter(council=mootshire)
        .order_by("source_id")
        .values_list("name", "slug", "kind", "is_active", "source", "source_id", "source_url")
    ) == [
        (
            "Council",
            "council",
            "full_council",
            True,
            "moderngov",
            "101",
            f"{site.url}/mgCommitteeDetails.aspx?ID=101",
        ),
        (
            "Cabinet",
            "cabinet",
            "cabinet",
            True,
            "moderngov",
            "102",
            f"{site.url}/mgCommitteeDetails.aspx?ID=102",
        ),
        (
            "Planning Committee",
            "planning-committee",
            "committee",
            True,
            "moderngov",
            "103",
            f"{site.url}/mgCommitteeDetails.aspx?ID=103",
        ),
        (
            "Licensing Sub-Committee",
            "licensing-sub-committee",
            "sub_committee",
            False,
            "moderngov",
            "104",
            f"{site.url}/mgCommitteeDetails.aspx?ID=104",
        ),
    ]
    assert errors.getvalue().splitlines() == [
        "Warning: meeting 1001: document “Consultants' summary of the Quarry Lane valuation” "
        "(5010) is on consultants.example.org, not 127.0.0.1, so it was not downloaded.",
        "Warning: meeting 1001, item 4: document “Appendix C: Tender prices (exempt, "
        "paragraph 3)” (5011) is restricted, so it was not downloaded.",
        "Warning: meeting 1001, item 4.1: document “Green Group amendment” (5012) is on "
        "localhost, not 127.0.0.1, so it was not downloaded.",
        "Warning: meeting 1001, item 6: document “Valuation report” (5005) is restricted, so it "
        "was not downloaded.",
        "Warning: meeting 1001, item 7: document “Report of the Head of Paid Service” (5007) is "
        "restricted, so it was not downloaded.",
        "Warning: meeting 1001: document “Appendix B: Fees spreadsheet” (5004) was skipped: "
        "The file must be a PDF, a Word document (DOCX) or a web page (HTML).",
        "Warning: meeting 1001: Ian Officer (ModernGov id 9001) is not a councillor imported "
        "from ModernGov, so their attendance was not recorded.",
    ]


def test_a_meeting_keeps_its_time_venue_status_webcast_and_source(mootshire, answers, site):
    run(str(answers))

    council = Meeting.objects.select_related("body").get(council=mootshire, source_id="1001")
    assert council.body.source_id == "101"
    assert council.start == dt.datetime(2024, 1, 24, 19, 0, tzinfo=dt.UTC)  # GMT in January
    assert council.venue == "Council Chamber, Moot Hall, Market Square, Mootford"
    assert council.webcast_url == (
        "https://mootshire.public-i.tv/core/portal/webcast_interactive/1001"
    )
    assert (council.source, council.source_url) == (
        "moderngov",
        f"{site.url}/ieListDocuments.aspx?CId=101&MId=1001",
    )
    assert council.status == Meeting.Status.HELD  # its minutes are published
    assert council.minutes_published_at is not None

    cabinet = Meeting.objects.get(council=mootshire, source_id="1002")
    assert cabinet.start == dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
    assert (cabinet.venue, cabinet.status, cabinet.webcast_url) == (
        "Committee Room 1, Moot Hall",
        Meeting.Status.SCHEDULED,
        "",
    )

    planning = Meeting.objects.get(council=mootshire, source_id="1003")
    assert planning.start == dt.datetime(2024, 2, 5, 10, 0, tzinfo=dt.UTC)
    assert (planning.status, planning.status_reason) == (
        Meeting.Status.CANCELLED,
        "The council's ModernGov site lists this meeting as cancelled.",
    )
    assert not planning.is_agenda_published
    # Outside the dates asked for, though the committee's answer lists it.
    assert not Meeting.objects.filter(source_id="1099").exists()


def test_a_meetings_public_timeline_tells_what_happened(mootshire, answers):
    run(str(answers))

    def kinds(meeting_id: str) -> list[str]:
        return list(
            TimelineEntry.objects.filter(meeting__source_id=meeting_id, is_public=True)
            .order_by("id")
            .values_list("kind", flat=True)
        )

    assert kinds("1001") == [
        "created",
        "agenda_published",
        "minutes_published",
        "attendance_recorded",
    ]
    assert kinds("1002") == ["created", "agenda_published"]
    assert kinds("1003") == ["created", "cancelled"]


def test_agenda_items_keep_their_numbering_text_and_types(mootshire, answers):
    run(str(answers))

    assert items_of("1001") == [
        ("1", "Apologies for absence", "apologies", False, None),
        ("2", "Declarations of interest", "declarations", False, None),
        ("3", "Minutes of the previous meeting", "minutes", False, None),
        ("4", "Budget 2024/25 and council tax", "report", False, None),
        ("4a", "Amendment from the Green Group", "report", False, None),
        ("5", "Exclusion of the press and public", "other", False, None),
        ("6", "Sale of land at Quarry Lane", "exempt", True, 3),
        ("7", "Staffing matter", "report", True, None),
    ]
    # Restricted, but no paragraph of Schedule 12A named: confidential, and as private.
    staffing = AgendaItem.objects.get(source_id="20008")
    assert (staffing.is_confidential, staffing.description) == (
        True,
        "Confidential: not for publication.",
    )
    assert not AgendaItem.objects.get(source_id="20007").is_confidential
    budget = AgendaItem.objects.get(source_id="20004")
    assert budget.source == "moderngov"
    assert budget.description == (
        "Cabinet recommends the budget for 2024/25.\n\n"
        "Council is asked to:\n\n"
        "set the council tax; and\n\n"
        "approve the fees & charges."
    )
    amendment = AgendaItem.objects.get(source_id="20005")
    assert amendment.parent == budget
    assert items_of("1002") == [
        ("1", "Apologies for absence", "apologies", False, None),
        ("2", "Bin collection contract", "report", False, None),
    ]
    assert items_of("1003") == [
        ("1", "Planning application 23/01234/FUL: Mill Lane", "report", False, None)
    ]
    # A section heading (numbered 0) is not business.
    assert not AgendaItem.objects.filter(source_id="20000").exists()


def test_papers_are_downloaded_typed_and_linked_to_their_items(mootshire, answers, site):
    run(str(answers))

    assert list(
        Document.objects.filter(council=mootshire)
        .order_by("source_id")
        .values_list(
            "source_id",
            "title",
            "kind",
            "meeting__source_id",
            "agenda_item__source_id",
            "stored_file__content_type",
            "is_exempt",
        )
    ) == [
        (
            "5000",
            "Agenda frontsheet 24/01/2024 Council",
            "agenda_pack",
            "1001",
            None,
            "application/pdf",
            False,
        ),
        ("5001", "Minutes, 22/11/2023", "minutes", "1001", "20003", "application/pdf", False),
        ("5002", "Budget report 2024/25", "report", "1001", "20004", "application/pdf", False),
        (
            "5003",
            "Appendix A: Fees & charges",
            "appendix",
            "1001",
            "20004",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        ("5006", "Site plan, Quarry Lane", "report", "1001", "20007", "application/pdf", True),
        ("5009", "Printed minutes 24/01/2024 Council", "minutes", "1001", None, "text/html", False),
        (
            "5020",
            "Bin collection contract: report of the Director of Environment",
            "report",
            "1002",
            "21002",
            "application/pdf",
            False,
        ),
    ]
    # Each paper says where it came from (a relative link is taken from the site).
    minutes = Document.objects.get(source_id="5001")
    assert (minutes.source, minutes.source_url) == (
        "moderngov",
        f"{site.url}/mgConvert2PDF.aspx?ID=5001",
    )
    assert Document.objects.get(source_id="5002").source_url == (
        f"{site.url}/mgConvert2PDF.aspx?ID=5002"
    )
    assert minutes.stored_file.file.read() == PAPERS["/mgConvert2PDF.aspx?ID=5001"]
    # The minutes document is the one the meeting's minutes were published with.
    assert Document.objects.get(source_id="5009").published_at is not None


def test_papers_reach_the_public_once_the_agenda_is_published_and_exempt_ones_never(
    mootshire, answers
):
    run(str(answers))

    assert sorted(Document.objects.public().values_list("source_id", flat=True)) == [
        "5000",
        "5001",
        "5002",
        "5003",
        "5009",
        "5020",
    ]
    assert list(
        AgendaItem.objects.filter(meeting__source_id="1001")
        .public()
        .values_list("number", flat=True)
    ) == ["1", "2", "3", "4", "4a", "5"]
    site_plan = Document.objects.get(source_id="5006")
    assert (site_plan.is_exempt, site_plan.exempt_paragraph) == (True, 3)
    # Exempt text never goes on the public timeline either.
    public_details = " ".join(
        str(d)
        for d in TimelineEntry.objects.filter(is_public=True).values_list("details", flat=True)
    )
    assert "Quarry" not in public_details


def test_a_published_agenda_is_recorded_as_published_on_the_councils_own_site(mootshire, answers):
    # The answer says only that the agenda is out, not when: nothing is said of lateness
    # and nothing is marked urgent, whether the deadline has passed (1001) or not (1002).
    run(str(answers))

    for meeting_id, deadline in (("1001", "2024-01-16"), ("1002", "2030-03-06")):
        meeting = Meeting.objects.get(source_id=meeting_id)
        assert meeting.is_agenda_published
        assert (meeting.agenda_published_elsewhere, meeting.agenda_late, meeting.late_reason) == (
            True,
            False,
            "",
        )
        assert meeting.publication_deadline.isoformat() == deadline
        assert not meeting.items.filter(is_urgent=True).exists()
        entry = TimelineEntry.objects.get(meeting=meeting, kind="agenda_published")
        assert entry.details == {
            "late": False,
            "deadline": deadline,
            "reason": "",
            "elsewhere": True,
        }
        assert entry.describe() == "Agenda published on the council's own website."
        assert AuditEntry.objects.get(
            action="meetings.publish_agenda", target_id=str(meeting.pk)
        ).details == {"late": False, "deadline": deadline, "published_elsewhere": True}
    assert not Meeting.objects.get(source_id="1003").is_agenda_published


def test_attendance_is_matched_to_councillors_by_their_moderngov_ids(
    mootshire, answers, other_council
):
    # The same ModernGov id at another council is somebody else.
    factories.CouncillorFactory(council=other_council, source="moderngov", source_id="7001")

    run(str(answers))

    assert sorted(
        Attendance.objects.filter(meeting__source_id="1001").values_list(
            "councillor__source_id", "councillor__person__name", "status", "councillor__council"
        )
    ) == [
        ("7001", "Hattie Homeworth", "present", mootshire.pk),
        ("7002", "Omar Outhouse", "apologies", mootshire.pk),
        ("7003", "Priya Parkway", "substitute", mootshire.pk),
        ("7004", "Quentin Quarry", "absent", mootshire.pk),
    ]
    # "Expected" at a meeting still to come is not attendance.
    assert not Attendance.objects.filter(meeting__source_id="1002").exists()


def test_it_writes_one_audit_entry_for_the_import(mootshire, answers):
    run(str(answers))

    entry = AuditEntry.objects.get(action="meetings.imported")
    assert (entry.council, entry.actor) == (mootshire, None)
    assert entry.details == {
        "source": str(answers),
        "date_from": "2024-01-01",
        "date_to": "2030-12-31",
        "warnings": 7,
        "bodies": 4,
        "bodies_created": 4,
        "bodies_updated": 0,
        "meetings_created": 3,
        "meetings_updated": 0,
        "meetings_unchanged": 0,
        "items_created": 11,
        "items_updated": 0,
        "documents_created": 7,
        "documents_skipped": 6,
        "attendance_recorded": 1,
    }


# --- Running it again ------------------------------------------------------------------------


def test_importing_the_same_answers_again_changes_nothing(mootshire, answers, site):
    run(str(answers))
    before = table_sizes()
    site.requests.clear()

    assert run(str(answers)) == SECOND_RUN

    assert table_sizes() == {**before, "AuditEntry": before["AuditEntry"] + 1}
    # Papers already imported are not downloaded again; only the spreadsheet, whose type
    # is known once it is downloaded and which was therefore never stored, is asked for.
    assert site.paths() == ["/documents/s5004/Appendix%20B%20Fees.xlsx"]


def test_a_changed_answer_updates_the_records_in_place(mootshire, answers):
    run(str(answers))
    cabinet = Meeting.objects.get(source_id="1002")
    (answers / "GetMeeting_1002.xml").write_bytes(
        (answers / "GetMeeting_1002.xml")
        .read_bytes()
        .replace(b"6.30 pm", b"7.00 pm")
        .replace(b"Committee Room 1", b"Committee Room 3")
        .replace(b"<agendaitemtitle>Bin collection contract<", b"<agendaitemtitle>Bin contract<")
        .replace(
            b"</agendaitems>",
            b"<agendaitem><agendaitemid>21003</agendaitemid><agendaitemnumber>3</agendaitemnumber>"
            b"<fulldisplaynumberformat>3.</fulldisplaynumberformat>"
            b"<agendaitemtitle>Street lighting</agendaitemtitle><isrestricted>False</isrestricted>"
            b"</agendaitem></agendaitems>",
        )
    )
    (answers / "GetCommittees.xml").write_bytes(
        (answers / "GetCommittees.xml").read_bytes().replace(b">Cabinet<", b">The Cabinet<")
    )

    assert run(str(answers)) == (
        "Mootshire: 4 bodies (0 new, 1 updated).\n"
        "Meetings 2024-01-01 to 2030-12-31: 3 (0 new, 1 updated, 2 unchanged).\n"
        "Agenda items: 1 new, 1 updated.\n"
        "Documents: 0 downloaded, 6 not downloaded.\n"
        "Meetings with attendance recorded: 0."
    )

    cabinet.refresh_from_db()
    assert cabinet.start == dt.datetime(2030, 3, 14, 19, 0, tzinfo=dt.UTC)
    assert cabinet.venue == "Committee Room 3, Moot Hall"
    assert cabinet.body.name == "The Cabinet"
    assert items_of("1002") == [
        ("1", "Apologies for absence", "apologies", False, None),
        ("2", "Bin contract", "report", False, None),
        ("3", "Street lighting", "report", False, None),
    ]
    # Added after publication: on the record as urgent business, as the law requires.
    lighting = AgendaItem.objects.get(source_id="21003")
    assert (lighting.is_late, lighting.is_urgent, lighting.urgency_reason) == (
        True,
        True,
        "Added by the council after the agenda was published.",
    )
    assert list(cabinet.timeline.filter(is_public=True).values_list("kind", flat=True)) == [
        "created",
        "agenda_published",
        "rescheduled",
        "item_updated",
        "item_added",
    ]
    assert Meeting.objects.filter(council=mootshire).count() == 3


def test_an_exempt_item_stays_exempt_when_a_later_answer_drops_the_flag(mootshire, answers):
    run(str(answers))
    (answers / "GetMeeting_1001.xml").write_bytes(
        (answers / "GetMeeting_1001.xml")
        .read_bytes()
        .replace(
            b"<agendaitemtitle>Sale of land at Quarry Lane</agendaitemtitle>\n"
            b"      <agendatext>&lt;p&gt;Exempt information: paragraph 3",
            b"<agendaitemtitle>Sale of land at Quarry Lane</agendaitemtitle>\n"
            b"      <agendatext>&lt;p&gt;Information",
        )
        .replace(b"<isrestricted>True</isrestricted>", b"<isrestricted>False</isrestricted>")
    )

    run(str(answers))

    sale = AgendaItem.objects.get(source_id="20007")
    assert (sale.is_exempt, sale.exempt_paragraph, sale.kind) == (True, 3, "exempt")
    assert not AgendaItem.objects.public().filter(pk=sale.pk).exists()
    assert Document.objects.get(source_id="5006").is_exempt
    assert not Document.objects.public().filter(source_id="5006").exists()
    staffing = AgendaItem.objects.get(source_id="20008")
    assert (staffing.is_confidential, staffing.is_exempt) == (True, True)


def test_an_item_the_council_makes_exempt_later_becomes_exempt_with_its_papers(mootshire, answers):
    run(str(answers))
    assert Document.objects.public().filter(source_id="5002").exists()
    (answers / "GetMeeting_1001.xml").write_bytes(
        (answers / "GetMeeting_1001.xml")
        .read_bytes()
        .replace(
            b"<agendaitemtitle>Budget 2024/25 and council tax</agendaitemtitle>",
            b"<agendaitemtitle>Budget 2024/25 and council tax (paragraph 3)</agendaitemtitle>",
        )
        .replace(
            b"<isrestricted>False</isrestricted>\n      <linkeddocuments>\n        <linkeddoc>\n"
            b"          <attachmentid>5002</attachmentid>",
            b"<isrestricted>True</isrestricted>\n      <linkeddocuments>\n        <linkeddoc>\n"
            b"          <attachmentid>5002</attachmentid>",
        )
    )

    run(str(answers))

    budget = AgendaItem.objects.get(source_id="20004")
    assert (budget.is_exempt, budget.exempt_paragraph) == (True, 3)
    assert AgendaItem.objects.get(source_id="20005").is_exempt  # the amendment sits under it
    assert not Document.objects.public().filter(source_id__in=["5002", "5003"]).exists()


def test_a_meeting_the_council_cancels_or_postpones_later_follows_it(mootshire, answers):
    run(str(answers))
    (answers / "GetMeeting_1002.xml").write_bytes(
        (answers / "GetMeeting_1002.xml")
        .read_bytes()
        .replace(b"<meetingstatus>Confirmed<", b"<meetingstatus>Meeting postponed<")
    )

    assert run(str(answers)).splitlines()[1] == (
        "Meetings 2024-01-01 to 2030-12-31: 3 (0 new, 1 updated, 2 unchanged)."
    )
    cabinet = Meeting.objects.get(source_id="1002")
    assert (cabinet.status, cabinet.status_reason) == (
        Meeting.Status.POSTPONED,
        "The council's ModernGov site lists this meeting as postponed.",
    )

    (answers / "GetMeeting_1002.xml").write_bytes(
        (answers / "GetMeeting_1002.xml")
        .read_bytes()
        .replace(b"<meetingstatus>Meeting postponed<", b"<meetingstatus>Cancelled<")
    )
    run(str(answers))
    cabinet.refresh_from_db()
    assert cabinet.status == Meeting.Status.CANCELLED
    assert list(cabinet.timeline.filter(is_public=True).values_list("kind", flat=True)) == [
        "created",
        "agenda_published",
        "postponed",
        "cancelled",
    ]

    # Nothing takes a cancelled meeting back: the clerk is told instead.
    (answers / "GetMeeting_1002.xml").write_bytes(
        (answers / "GetMeeting_1002.xml")
        .read_bytes()
        .replace(b"<meetingstatus>Cancelled<", b"<meetingstatus>Confirmed<")
    )
    errors = io.StringIO()
    run(str(answers), stderr=errors)
    assert errors.getvalue().splitlines()[-1] == (
        "Warning: meeting 1002 is cancelled here but “Confirmed” on ModernGov; left as it is."
    )
    cabinet.refresh_from_db()
    assert cabinet.status == Meeting.Status.CANCELLED


def test_changed_attendance_is_recorded_again(mootshire, answers):
    run(str(answers))
    (answers / "GetMeeting_1001.xml").write_bytes(
        (answers / "GetMeeting_1001.xml")
        .read_bytes()
        .replace(
            b'name="Councillor Omar Outhouse" attendance="Apologies"',
            b'name="Councillor Omar Outhouse" attendance="Present"',
        )
    )

    assert run(str(answers)).splitlines()[-1] == "Meetings with attendance recorded: 1."

    omar = Attendance.objects.get(meeting__source_id="1001", councillor__source_id="7002")
    assert omar.status == "present"
    assert Attendance.objects.filter(meeting__source_id="1001").count() == 4


@pytest.mark.parametrize(
    ("wording", "start"),
    [
        ("7.00 pm", dt.time(19, 0)),
        ("10:30am", dt.time(10, 30)),
        ("12.00 noon", dt.time(12, 0)),
        ("12.15 a.m.", dt.time(0, 15)),
        ("19:00", dt.time(19, 0)),
        ("2 PM", dt.time(14, 0)),
    ],
)
def test_a_meeting_time_is_read_as_councils_write_it(wording, start):
    data = (FIXTURES / "GetMeeting_1003.xml").read_bytes().replace(b"10.00 am", wording.encode())
    warnings: list[str] = []

    record = parse_meeting(data, "1003", warnings)

    assert record.start == dt.datetime.combine(dt.date(2024, 2, 5), start, tzinfo=LONDON)
    assert warnings == []


def test_a_meeting_without_a_time_starts_at_midnight_with_a_warning():
    data = (FIXTURES / "GetMeeting_1003.xml").read_bytes().replace(b"10.00 am", b"")
    warnings: list[str] = []

    record = parse_meeting(data, "1003", warnings)

    assert record.start == dt.datetime(2024, 2, 5, tzinfo=LONDON)
    assert warnings == ["The GetMeeting answer for meeting 1003 gives no time: midnight is used."]


# --- Bad answers: one clear line, nothing written ---------------------------------------------

HTML_ERROR_PAGE = (
    b'<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Runtime Error'
    b"</title></head><body><h1>Server Error in '/' Application.</h1></body></html>"
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "GetMeeting_1002.xml",
            HTML_ERROR_PAGE,
            "The GetMeeting answer for meeting 1002 is not a ModernGov GetMeeting answer "
            "(the document is <html>).",
        ),
        (
            "GetMeeting_1002.xml",
            b"<html><head><title>Error</title><body><p>Sorry<br></p></body></html>",
            "The GetMeeting answer for meeting 1002 is not well-formed XML (line 1, column 52).",
        ),
        (
            "GetMeeting_1003.xml",
            (FIXTURES / "GetMeeting_1003.xml").read_bytes()[:600],
            "The GetMeeting answer for meeting 1003 is not well-formed XML (line 17, column 6).",
        ),
        (
            "GetCommittees.xml",
            (FIXTURES / "GetMeetings_101.xml").read_bytes(),
            "The GetCommittees answer is not a ModernGov GetCommittees answer "
            "(the document is <getmeetings>).",
        ),
        (
            "GetMeeting_1002.xml",
            (FIXTURES / "GetMeeting_1003.xml").read_bytes(),
            "The GetMeeting answer for meeting 1002 holds no such meeting (it may not exist).",
        ),
        (
            "GetMeetings_102.xml",
            (FIXTURES / "GetMeetings_102.xml").read_bytes().replace(b"14/03/2030", b"2030-03-14"),
            "The GetMeetings answer for committee 102 has a date “2030-03-14” that is not "
            "dd/mm/yyyy.",
        ),
        (
            "GetMeetings_102.xml",
            (FIXTURES / "GetMeetings_102.xml").read_bytes().replace(b">1002<", b">../1002<"),
            "The GetMeetings answer for committee 102 has a meeting id “../1002” that is not a "
            "number.",
        ),
        (
            "GetMeeting_1002.xml",
            (FIXTURES / "GetMeeting_1002.xml").read_bytes().replace(b"6.30 pm", b"teatime"),
            "The GetMeeting answer for meeting 1002 has a time “teatime” that cannot be read.",
        ),
        (
            "GetCommittees.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><committees>&a;</committees>',
            "The GetCommittees answer uses entities or a DTD, which are refused.",
        ),
        (
            "GetCommittees.xml",
            b"",
            "The GetCommittees answer is not well-formed XML (line 1, column 0).",
        ),
    ],
    ids=[
        "html-error-page",
        "html-not-xml",
        "truncated",
        "wrong-root",
        "another-meeting",
        "bad-date",
        "bad-id",
        "bad-time",
        "entities",
        "empty",
    ],
)
def test_a_bad_answer_is_refused_in_one_line_and_nothing_is_written(
    mootshire, answers, name, content, message
):
    (answers / name).write_bytes(content)
    before = table_sizes()

    assert refused(str(answers)) == message
    assert table_sizes() == before


def test_a_meeting_listed_without_its_answer_is_refused(mootshire, answers):
    (answers / "GetMeeting_1002.xml").unlink()

    assert refused(str(answers)) == (
        f"{answers} has no GetMeeting_1002.xml (the GetMeeting answer for meeting 1002)."
    )
    assert Meeting.objects.count() == 0


def test_a_bad_answer_leaves_the_last_import_standing(mootshire, answers):
    run(str(answers))
    before = table_sizes()
    (answers / "GetMeeting_1002.xml").write_bytes(
        (answers / "GetMeeting_1002.xml").read_bytes().replace(b"Committee Room 1", b"Room 9")
    )
    (answers / "GetMeeting_1003.xml").write_bytes(HTML_ERROR_PAGE)

    refused(str(answers))

    assert table_sizes() == before
    assert Meeting.objects.get(source_id="1002").venue == "Committee Room 1, Moot Hall"


def command_error(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command("import_moderngov_meetings", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(error.value)


def test_an_unknown_council_a_bad_date_and_a_missing_address_are_clear_errors(db, answers):
    factories.CouncilFactory(slug="mootshire", short_name="Mootshire", moderngov_url="")

    assert command_error("--council", "nowhere", *RANGE) == "No council has the slug “nowhere”."
    assert command_error(
        "--council", "mootshire", "--from", "24/01/2024", "--to", "2024-12-31"
    ) == ("“24/01/2024” is not a date as YYYY-MM-DD.")
    assert refused("--to", "2023-12-31") == "--to must not be before --from."
    assert refused("--timeout", "0", str(answers)) == "--timeout must be more than 0 seconds."
    assert refused() == "Mootshire has no ModernGov address: set it, or give a SOURCE."
    assert refused(str(answers / "nope")) == f"{answers / 'nope'} is not a folder."


# --- Papers: the council's host only --------------------------------------------------------


def test_a_paper_on_another_host_is_never_fetched(mootshire, answers, site):
    run(str(answers))

    assert site.paths(host="localhost") == []
    for path in NEVER_ASKED_FOR:
        assert path not in site.paths()
    assert sorted(site.paths(host="127.0.0.1")) == sorted(
        [
            "/documents/g1001/Agenda%20frontsheet%2024th-Jan-2024%2019.00%20Council.pdf?T=0",
            "/mgConvert2PDF.aspx?ID=5009",
            "/mgConvert2PDF.aspx?ID=5001",
            "/mgConvert2PDF.aspx?ID=5002",
            "/documents/s5003/Appendix%20A%20Fees.docx",
            "/documents/s5004/Appendix%20B%20Fees.xlsx",
            "/mgConvert2PDF.aspx?ID=5006",
            "/mgConvert2PDF.aspx?ID=5020",
        ]
    )
    assert not Document.objects.filter(source_id__in=["5010", "5012"]).exists()


def test_a_redirect_to_another_host_is_not_followed(mootshire, answers, site):
    site.redirects["/mgConvert2PDF.aspx?ID=5002"] = f"http://localhost:{site.port}/amendment.pdf"
    errors = io.StringIO()

    run(str(answers), stderr=errors)

    assert site.paths(host="localhost") == []
    assert (
        "Warning: meeting 1001, item 4: document “Budget report 2024/25” (5002) could not be "
        f"downloaded: {site.url}/mgConvert2PDF.aspx redirected to "
        f"http://localhost:{site.port}/amendment.pdf, which is on another host: not followed."
    ) in errors.getvalue().splitlines()
    assert not Document.objects.filter(source_id="5002").exists()


def test_the_fetcher_refuses_another_host_before_connecting(site, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    council_site = Site.from_url(site.url)

    with pytest.raises(ImportFailed) as error:
        fetch("https://consultants.example.org/quarry-lane/summary.pdf", council_site)

    assert str(error.value) == (
        "https://consultants.example.org/quarry-lane/summary.pdf is not on 127.0.0.1: not fetched."
    )
    assert council_site.resolve(f"http://localhost:{site.port}/amendment.pdf") is None
    assert council_site.resolve("http://127.0.0.1:1/x.pdf") is None  # another port
    assert council_site.resolve("ftp://127.0.0.1/x.pdf") is None
    assert council_site.resolve("mgConvert2PDF.aspx?ID=1") == f"{site.url}/mgConvert2PDF.aspx?ID=1"
    # ModernGov writes its links as http:// even on an https site: fetched over https.
    https_site = Site.from_url("https://moderngov.mootshire.example/mgWebService.asmx")
    assert https_site.resolve("http://MODERNGOV.mootshire.example/mgConvert2PDF.aspx?ID=1") == (
        "https://moderngov.mootshire.example/mgConvert2PDF.aspx?ID=1"
    )


def test_without_a_configured_address_no_paper_is_downloaded(council, answers, site):
    errors = io.StringIO()

    output = run(str(answers), stderr=errors)

    assert output.splitlines()[3] == "Documents: 0 downloaded, 13 not downloaded."
    assert site.requests == []
    assert (
        "Warning: meeting 1002, item 2: document “Bin collection contract: report of the "
        "Director of Environment” (5020) was not downloaded: Mootshire has no ModernGov address."
    ) in errors.getvalue().splitlines()
    assert Meeting.objects.get(source_id="1001").source_url == ""


def test_a_paper_larger_than_the_councils_limit_is_skipped(mootshire, answers, site):
    MeetingSettings.objects.create(council=mootshire, notice_clear_days=5, document_max_bytes=1024)
    site.papers["/mgConvert2PDF.aspx?ID=5020"] = make_pdf("Bins. " * 400, title="Bins")
    errors = io.StringIO()

    run(str(answers), stderr=errors)

    assert (
        "Warning: meeting 1002, item 2: document “Bin collection contract: report of the "
        "Director of Environment” (5020) could not be downloaded: "
        f"{site.url}/mgConvert2PDF.aspx is larger than the 1024 bytes allowed."
    ) in errors.getvalue().splitlines()
    assert not Document.objects.filter(source_id="5020").exists()


# --- From the web service (the local server) ---------------------------------------------------


def test_it_imports_from_the_councils_configured_web_service(mootshire, site):
    assert run() == FIRST_RUN

    assert AuditEntry.objects.get(action="meetings.imported").details["source"] == (
        f"{site.url}/mgWebService.asmx"
    )
    asked = [p for p in site.paths() if p.startswith(SERVICE)]
    assert asked == [
        "/mgWebService.asmx/GetCommittees",
        "/mgWebService.asmx/GetMeetings?lCommitteeId=101&sFromDate=01/01/2024&sToDate=31/12/2030",
        "/mgWebService.asmx/GetMeetings?lCommitteeId=102&sFromDate=01/01/2024&sToDate=31/12/2030",
        "/mgWebService.asmx/GetMeetings?lCommitteeId=103&sFromDate=01/01/2024&sToDate=31/12/2030",
        "/mgWebService.asmx/GetMeetings?lCommitteeId=104&sFromDate=01/01/2024&sToDate=31/12/2030",
        "/mgWebService.asmx/GetMeeting?lMeetingId=1001",
        "/mgWebService.asmx/GetMeeting?lMeetingId=1002",
        "/mgWebService.asmx/GetMeeting?lMeetingId=1003",
    ]
    assert site.paths(host="localhost") == []


def test_it_imports_from_a_base_url_given_as_the_source(mootshire, site):
    assert run(f"{site.url}/mgWebService.asmx") == FIRST_RUN
    assert run(site.url) == SECOND_RUN


def test_a_meeting_id_the_service_does_not_know_is_refused(mootshire, site):
    site.answers["GetMeetings_102.xml"] = site.answers["GetMeetings_102.xml"].replace(
        b">1002<", b">1005<"
    )

    assert refused() == (
        "The GetMeeting answer for meeting 1005 holds no such meeting (it may not exist)."
    )
    assert table_sizes()["Meeting"] == 0


def test_a_service_that_answers_an_error_is_refused(mootshire, site):
    del site.answers["GetCommittees.xml"]

    assert refused() == f"{site.url}/mgWebService.asmx/GetCommittees answered HTTP 404 Not Found."
    assert table_sizes()["Body"] == 0


def test_a_service_redirecting_to_another_host_is_not_followed(mootshire, site):
    site.redirects["/mgWebService.asmx/GetCommittees"] = f"http://localhost:{site.port}/x"

    assert refused() == (
        f"{site.url}/mgWebService.asmx/GetCommittees redirected to http://localhost:{site.port}/x, "
        "which is on another host: not followed."
    )
    assert site.paths(host="localhost") == []


# --- A dry run --------------------------------------------------------------------------------


def test_a_dry_run_says_what_would_change_and_saves_nothing(mootshire, answers, site):
    before = table_sizes()
    site.requests.clear()

    output = run(str(answers), "--dry-run")

    # Papers are not fetched, so their types are not known yet: the spreadsheet is counted.
    assert (
        output
        == FIRST_RUN.replace(
            "Documents: 7 downloaded, 6 not downloaded.",
            "Documents: 8 to download, 5 not downloaded.",
        )
        + "\nDry run: nothing was saved or downloaded."
    )
    assert table_sizes() == before
    assert site.requests == []


# --- Small parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One.</p><p>Two &amp; three.</p>", "One.\n\nTwo & three."),
        ("&lt;p&gt;Escaped twice.&lt;/p&gt;", "Escaped twice."),
        ("Plain words,\n   spread out", "Plain words, spread out"),
        ("", ""),
    ],
)
def test_agenda_text_becomes_plain_paragraphs(markup, text):
    assert plain_text(markup) == text


def test_saved_answers_need_a_folder(tmp_path):
    with pytest.raises(ImportFailed) as error:
        SavedAnswers(tmp_path / "missing")
    assert str(error.value) == f"{tmp_path / 'missing'} is not a folder."


def test_the_importer_can_be_called_without_the_command(mootshire, answers, site):
    summary = import_meetings(
        mootshire,
        SavedAnswers(answers),
        date_from=dt.date(2030, 1, 1),
        date_to=dt.date(2030, 12, 31),
        site=Site.from_url(site.url),
    )

    assert (summary.meetings_created, summary.items_created, summary.documents_created) == (
        1,
        2,
        1,
    )
    assert list(Meeting.objects.values_list("source_id", flat=True)) == ["1002"]
    assert Councillor.objects.filter(council=mootshire, source="moderngov").count() == 4
