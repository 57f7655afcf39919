"""Polis open-data import and export: the three real conversations go in and come back out
the same; malformed folders are refused with the file and line, writing nothing; the
commands and the .zip checks refuse bad input cleanly."""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import AuditEntry
from moothall.deliberation.engine import read_polis_folder
from moothall.deliberation.interchange import (
    KEPT,
    InterchangeError,
    export_conversation,
    import_conversation,
    import_zip,
    millis,
    pack_zip,
    unpack_zip,
)
from moothall.deliberation.models import (
    Analysis,
    Conversation,
    Participant,
    Statement,
    Status,
    Vote,
)
from tests.deliberation import d2_scene

pytestmark = pytest.mark.django_db

REAL = ["bg2050-volunteers", "brexit-consensus", "scoop-hivemind.biodiversity"]


def _comments(export) -> dict[str, tuple[str, ...]]:
    return {
        row["comment-id"]: (
            row["comment-body"],
            row["moderated"],
            row["agrees"],
            row["disagrees"],
            row["author-id"],
            row.get("timestamp", ""),
        )
        for row in export.comments
    }


def _last_votes(export) -> dict[tuple[str, str], tuple[int, str]]:
    last: dict[tuple[str, str], tuple[int, str]] = {}
    for row in export.votes:
        key = (row["voter-id"], row["comment-id"])
        stamp = int(row["timestamp"])
        if key not in last or stamp >= last[key][0]:
            last[key] = (stamp, row["vote"])
    return last


def _matrix(export) -> dict[str, dict[str, str]]:
    return {
        row["participant"]: {k: v for k, v in row.items() if k.isdigit() and v != ""}
        for row in export.participants
    }


def _counts(export) -> dict[str, tuple[str, ...]]:
    return {
        row["participant"]: (row["n-comments"], row["n-votes"], row["n-agree"], row["n-disagree"])
        for row in export.participants
    }


def _nothing_written() -> None:
    assert Conversation.objects.count() == 0
    assert Participant.objects.count() == 0
    assert Statement.objects.count() == 0
    assert Vote.objects.count() == 0
    assert not AuditEntry.objects.filter(action="deliberation.imported").exists()


# --- The real conversations -------------------------------------------------------------


@pytest.mark.parametrize("name", REAL)
def test_a_real_conversation_comes_back_out_as_it_went_in(council, shared_data, tmp_path, name):
    source = shared_data / "polis" / name
    original = read_polis_folder(source)

    conversation = import_conversation(council, source, by=None)
    export_conversation(conversation, tmp_path)
    again = read_polis_folder(tmp_path)

    assert conversation.status == Status.CLOSED
    assert conversation.title == original.summary["topic"]
    assert _comments(again) == _comments(original)
    assert _last_votes(again) == _last_votes(original)
    # Every vote event, changed ones included (so agrees/disagrees count the same).
    events = Counter(
        (r["timestamp"], r["comment-id"], r["voter-id"], r["vote"]) for r in original.votes
    )
    assert (
        Counter((r["timestamp"], r["comment-id"], r["voter-id"], r["vote"]) for r in again.votes)
        == events
    )
    assert _matrix(again) == _matrix(original)
    assert _counts(again) == _counts(original)
    for key in (
        "topic",
        "url",
        "views",
        "voters",
        "voters-in-conv",
        "commenters",
        "comments",
        "conversation-description",
    ):
        assert again.summary[key] == original.summary[key]
    if "is-meta" in original.comments[0]:
        assert {r["comment-id"]: (r["is-meta"], r["is-seed"]) for r in again.comments} == {
            r["comment-id"]: (r["is-meta"], r["is-seed"]) for r in original.comments
        }
    # The export's groups are those of the stored analysis (in the polis mode).
    analysis = Analysis.objects.get(conversation=conversation, mode="polis")
    groups = {pid: entry["group"] for pid, entry in analysis.data["participants"].items()}
    for row in again.participants:
        expected = groups.get(row["participant"])
        assert row["group-id"] == ("" if expected is None else str(expected))
    assert len(analysis.data["groups"]) >= 2


def test_the_database_holds_the_last_vote_of_each_pair(council, shared_data):
    source = shared_data / "polis" / "brexit-consensus"
    conversation = import_conversation(council, source, by=None)
    assert conversation.votes.count() == len(_last_votes(read_polis_folder(source))) == 5303
    # Participant 101 agreed with statement 22, then disagreed the next day.
    vote = Vote.objects.get(
        conversation=conversation, participant__number=101, statement__number=22
    )
    assert vote.value == -1
    assert millis(vote.created_at) == 1500238772703
    assert millis(vote.updated_at) == 1500328125879


# --- The tiny conversation: each rule on its own -------------------------------------------


def test_an_import_keeps_numbers_text_moderation_and_authors(council, tmp_path):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    conversation = import_conversation(council, folder, by=None, slug="our-park")

    assert (conversation.slug, conversation.title) == ("our-park", "Our park")
    assert conversation.description == "What should the park have?"
    assert conversation.imported_meta["url"] == "https://pol.is/example"
    assert conversation.imported_meta["views"] == "10"
    statements = {s.number: s for s in conversation.statements.select_related("author")}
    assert statements[0].state == Statement.State.ACCEPTED
    assert statements[0].is_seed
    assert statements[1].text == "Longer library hours,\nplease"  # exactly as written
    assert statements[2].state == Statement.State.REJECTED
    assert statements[1].author.number == 1
    assert millis(statements[1].created_at) == 1700000001000
    people = {p.number: p for p in conversation.participants.all()}
    assert sorted(people) == [0, 1, 2, 3]
    assert people[0].external_id == "abc"
    assert people[1].external_id == ""
    assert millis(people[2].joined_at) == 1700000002000  # wrote before first voting
    assert millis(people[3].joined_at) == 1700086500000
    changed = Vote.objects.get(participant=people[1], statement=statements[0])
    assert changed.value == -1
    assert (millis(changed.created_at), millis(changed.updated_at)) == (
        1700000010000,
        1700000070000,
    )
    assert conversation.imported_meta[KEPT]["superseded_votes"] == [[1700000010000, 0, 1, 1]]
    assert millis(conversation.opened_at) == 1700000000000
    assert millis(conversation.closed_at) == 1700086600000
    entry = AuditEntry.objects.get(action="deliberation.imported")
    assert entry.details["votes"] == 7
    assert entry.details["vote_events"] == 8


def test_the_export_counts_every_vote_event_as_polis_does(council, tmp_path):
    conversation = import_conversation(council, d2_scene.write_folder(tmp_path / "in"), by=None)
    export = export_conversation(conversation, tmp_path / "out")
    rows = {r["comment-id"]: r for r in export.comments}
    assert (rows["0"]["agrees"], rows["0"]["disagrees"]) == ("3", "1")
    assert (rows["1"]["agrees"], rows["1"]["disagrees"]) == ("1", "2")
    assert rows["2"]["moderated"] == "-1"
    header = (tmp_path / "out" / "comments.csv").read_text().splitlines()[0]
    assert header == (
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,"
        "group-informed-consensus,comment-body"
    )
    people = (tmp_path / "out" / "participants-votes.csv").read_text().splitlines()
    assert people[0] == "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1"
    assert people[1].startswith("0,abc,")


def test_an_export_takes_groups_and_consensus_from_the_stored_analysis(council, tmp_path):
    conversation = import_conversation(council, d2_scene.write_folder(tmp_path / "in"), by=None)
    Analysis.objects.filter(conversation=conversation).update(
        data={
            "participants": {"0": {"x": 0, "y": 0, "group": 1, "n_votes": 2}},
            "groups": [{"index": 0, "size": 1}, {"index": 1, "size": 1}],
            "group_informed_consensus": {"0": 0.1875},
        }
    )
    export = export_conversation(conversation, tmp_path / "out")
    assert {r["participant"]: r["group-id"] for r in export.participants} == {
        "0": "1",
        "1": "",
        "2": "",
        "3": "",
    }
    assert {r["comment-id"]: r["group-informed-consensus"] for r in export.comments} == {
        "0": "0.1875",
        "1": "",
        "2": "",
    }
    assert export.summary["groups"] == "2"


def test_a_conversation_made_here_exports_in_the_newer_layout(council, tmp_path, settings):
    settings.SITE_URL = "https://moothall.example"
    conversation = d2_scene.conversation_with_votes(
        council,
        statements=[("Benches", "accepted"), ("Waiting", "pending")],
        votes={(0, 0): 1, (1, 0): -1, (1, 1): 0},
    )
    export = export_conversation(conversation, tmp_path)
    assert [r["moderated"] for r in export.comments] == ["1", "0"]
    assert [(r["comment-id"], r["voter-id"], r["vote"]) for r in export.votes] == [
        ("0", "0", "1"),
        ("0", "1", "-1"),
        ("1", "1", "0"),
    ]
    assert export.summary["topic"] == "Our park"
    assert export.summary["url"].startswith("https://moothall.example/mootshire/deliberations/park")
    assert export.summary["voters"] == "2"
    assert [r["group-id"] for r in export.participants] == ["", ""]  # no analysis yet


def test_an_import_in_improved_mode_stores_that_analysis(council, tmp_path):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    conversation = import_conversation(council, folder, by=None, mode="improved")
    assert conversation.mode == "improved"
    assert list(conversation.analyses.values_list("mode", flat=True)) == ["improved"]


# --- Refusals ------------------------------------------------------------------------------


def _broken(rows_by_file: dict[str, object]) -> dict[str, object]:
    files: dict[str, object] = dict(d2_scene.FILES)
    files.update(rows_by_file)
    return files


def _with_row(name: str, index: int, row: list[str]) -> list[list[str]]:
    rows = [list(r) for r in d2_scene.FILES[name]]
    rows[index] = row
    return rows


BROKEN = {
    "a vote of 2": (
        {"votes.csv": _with_row("votes.csv", 2, ["1700000010000", "x", "0", "1", "2"])},
        "votes.csv line 3",
    ),
    "a vote on a statement not in comments.csv": (
        {"votes.csv": _with_row("votes.csv", 3, ["1700000010000", "x", "9", "1", "1"])},
        "votes.csv line 4",
    ),
    "an author that is not a number": (
        {
            "comments.csv": _with_row(
                "comments.csv",
                2,
                ["1700000001000", "1", "x", "1", "2", "1", "false", "false", "", "Hi"],
            )
        },
        "comments.csv line 3",
    ),
    "is-seed neither true nor false": (
        {
            "comments.csv": _with_row(
                "comments.csv",
                1,
                ["1700000000000", "0", "0", "3", "1", "1", "false", "maybe", "", "Hi"],
            )
        },
        "comments.csv line 2",
    ),
    "an empty comment": (
        {
            "comments.csv": _with_row(
                "comments.csv",
                3,
                ["1700000002000", "2", "2", "0", "0", "-1", "false", "false", "", "  "],
            )
        },
        "comments.csv line 4",
    ),
    "a timestamp in seconds": (
        {"votes.csv": _with_row("votes.csv", 5, ["1700000011", "x", "1", "1", "1"])},
        "votes.csv line 6",
    ),
    "a participant listed twice": (
        {
            "participants-votes.csv": _with_row(
                "participants-votes.csv", 2, ["0", "", "0", "1", "2", "1", "1", "-1", "1"]
            )
        },
        "participants-votes.csv line 3",
    ),
    "an xid too long": (
        {
            "participants-votes.csv": _with_row(
                "participants-votes.csv", 1, ["0", "x" * 201, "0", "1", "2", "1", "1", "1", "-1"]
            )
        },
        "participants-votes.csv line 2",
    ),
    "a NUL in a comment": (
        {
            "comments.csv": _with_row(
                "comments.csv",
                1,
                ["1700000000000", "0", "0", "3", "1", "1", "false", "true", "", "a\x00b"],
            )
        },
        "comments.csv line 2",
    ),
    "a voter id beyond what the database holds": (
        {"votes.csv": _with_row("votes.csv", 1, ["1700000000000", "x", "0", "3000000000", "1"])},
        "votes.csv line 2",
    ),
    "a comments.csv without comment-body": (
        {"comments.csv": "timestamp,comment-id,author-id,moderated\n1700000000000,0,0,1\n"},
        "comments.csv",
    ),
    "votes.csv missing": ({"votes.csv": None}, "votes.csv"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_malformed_folder_is_refused_naming_the_file_and_line(council, tmp_path, case):
    changes, where = BROKEN[case]
    files = {k: v for k, v in _broken(changes).items() if v is not None}
    folder = d2_scene.write_folder(tmp_path / "broken", files)
    with pytest.raises(InterchangeError) as refused:
        import_conversation(council, folder, by=None)
    assert where in str(refused.value)
    _nothing_written()


def test_a_web_address_already_used_is_refused_and_nothing_is_written(council, tmp_path):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    import_conversation(council, folder, by=None, slug="our-park")
    with pytest.raises(ValidationError) as refused:
        import_conversation(council, folder, by=None, slug="our-park")
    assert "slug" in refused.value.error_dict
    assert Conversation.objects.count() == 1
    assert Statement.objects.count() == 3


def test_only_staff_who_run_consultations_may_import(council, tmp_path, resident, moderator):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    for person in (resident, moderator):
        with pytest.raises(PermissionDenied):
            import_conversation(council, folder, by=person)
    _nothing_written()


def test_an_officer_imports_and_is_named_in_the_audit(council, officer, tmp_path):
    conversation = import_conversation(council, d2_scene.write_folder(tmp_path / "t"), by=officer)
    entry = AuditEntry.objects.get(action="deliberation.imported")
    assert (entry.actor, entry.council, entry.target_id) == (
        officer,
        council,
        str(conversation.pk),
    )
    assert conversation.created_by == officer


# --- Commands ----------------------------------------------------------------------------


def test_import_polis_imports_a_folder(council, tmp_path):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    out = io.StringIO()
    call_command(
        "import_polis", str(folder), "--council", "mootshire", "--slug", "park", stdout=out
    )
    conversation = Conversation.objects.get()
    assert conversation.slug == "park"
    assert conversation.mode == "polis"
    assert "4 participants, 3 statements, 7 votes" in out.getvalue()
    assert "/mootshire/deliberations/park/report/" in out.getvalue()


def test_import_polis_refuses_an_unknown_council(council, tmp_path):
    folder = d2_scene.write_folder(tmp_path / "tiny")
    with pytest.raises(CommandError, match="There is no council 'nowhere'"):
        call_command("import_polis", str(folder), "--council", "nowhere")


def test_import_polis_names_the_folder_file_and_line_of_a_problem(council, tmp_path):
    changes = {"votes.csv": _with_row("votes.csv", 2, ["1700000010000", "x", "0", "1", "7"])}
    folder = d2_scene.write_folder(tmp_path / "bad", _broken(changes))
    with pytest.raises(CommandError) as refused:
        call_command("import_polis", str(folder), "--council", "mootshire")
    assert str(refused.value).startswith(f"{folder}: votes.csv line 3")
    _nothing_written()


def test_import_polis_refuses_a_missing_folder_and_a_used_slug(council, tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_polis", str(tmp_path / "none"), "--council", "mootshire")
    folder = d2_scene.write_folder(tmp_path / "tiny")
    call_command(
        "import_polis", str(folder), "--council", "mootshire", "--slug", "p", stdout=io.StringIO()
    )
    with pytest.raises(CommandError, match="already uses this web address"):
        call_command("import_polis", str(folder), "--council", "mootshire", "--slug", "p")


def test_export_polis_writes_the_four_files(council, tmp_path):
    conversation = import_conversation(council, d2_scene.write_folder(tmp_path / "in"), by=None)
    out = io.StringIO()
    call_command("export_polis", str(conversation.pk), str(tmp_path / "out"), stdout=out)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "comments.csv",
        "participants-votes.csv",
        "summary.csv",
        "votes.csv",
    ]
    assert "3 statements, 8 vote events, 4 participants" in out.getvalue()


def test_export_polis_refuses_an_unknown_id_and_an_unwritable_folder(council, tmp_path):
    with pytest.raises(CommandError, match="There is no conversation 999"):
        call_command("export_polis", "999", str(tmp_path))
    conversation = d2_scene.conversation_with_votes(council, statements=[("A", "accepted")])
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_polis", str(conversation.pk), str(blocker / "inside"))


# --- Zip files -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "brexit/"])
def test_a_zip_with_the_files_at_the_top_or_in_one_folder_is_unpacked(tmp_path, prefix):
    written = unpack_zip(io.BytesIO(d2_scene.tiny_zip(prefix)), tmp_path)
    assert written == ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]
    assert (tmp_path / "votes.csv").read_text() == d2_scene.csv_text(d2_scene.VOTES)


def test_macos_extras_in_a_zip_are_left_out(tmp_path):
    entries: dict[str, str | bytes] = {
        name: d2_scene.csv_text(rows) for name, rows in d2_scene.FILES.items()
    }
    entries["__MACOSX/._comments.csv"] = b"\x00junk"
    entries[".DS_Store"] = b"\x00junk"
    unpack_zip(io.BytesIO(d2_scene.zip_bytes(entries)), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(d2_scene.FILES)


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("comments.csv", "x")
        link = zipfile.ZipInfo("votes.csv")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    data = bytearray(d2_scene.tiny_zip())
    # Set the "encrypted" flag on every entry, in the local and the central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            data[found + offset] |= 0x1
            start = found + 4
    return bytes(data)


BAD_ZIPS = {
    "not a zip": (b"comments.csv,votes.csv", "not a .zip"),
    "a path going up": (
        d2_scene.zip_bytes({"../comments.csv": "x", "votes.csv": "y"}),
        "not allowed",
    ),
    "a path from the root": (
        d2_scene.zip_bytes({"/comments.csv": "x", "votes.csv": "y"}),
        "not allowed",
    ),
    "a backslash path": (
        d2_scene.zip_bytes({"a\\comments.csv": "x", "votes.csv": "y"}),
        "not allowed",
    ),
    "another file": (
        d2_scene.zip_bytes({"comments.csv": "x", "votes.csv": "y", "run.sh": "rm -rf /"}),
        "may hold only",
    ),
    "two folders deep": (
        d2_scene.zip_bytes({"a/b/comments.csv": "x", "a/b/votes.csv": "y"}),
        "may hold only",
    ),
    "files in two folders": (
        d2_scene.zip_bytes({"a/comments.csv": "x", "b/votes.csv": "y"}),
        "one folder",
    ),
    "a file twice": (d2_scene.zip_bytes({"a/comments.csv": "x", "comments.csv": "y"}), "twice"),
    "no votes": (d2_scene.zip_bytes({"comments.csv": "x"}), "no votes.csv"),
    "a link": (_symlink_zip(), "link"),
    "encrypted": (_encrypted_zip(), "encrypted"),
}


@pytest.mark.parametrize("case", BAD_ZIPS, ids=list(BAD_ZIPS))
def test_a_bad_zip_is_refused_before_anything_is_unpacked(tmp_path, case):
    data, message = BAD_ZIPS[case]
    with pytest.raises(InterchangeError, match=message):
        unpack_zip(io.BytesIO(data), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_zip_too_large_once_unpacked_is_refused_as_it_unpacks(tmp_path, monkeypatch):
    from moothall.deliberation import interchange

    monkeypatch.setattr(interchange, "MAX_UNPACKED_BYTES", 1000)
    big = d2_scene.zip_bytes({"comments.csv": "a" * 50_000, "votes.csv": "y"})
    assert len(big) < 1000  # it compresses well: the zip's size says nothing
    with pytest.raises(InterchangeError, match="too large once unpacked"):
        unpack_zip(io.BytesIO(big), tmp_path)


def test_import_zip_imports_and_pack_zip_gives_the_four_files_back(council, tmp_path):
    conversation = import_zip(council, io.BytesIO(d2_scene.tiny_zip("x/")), by=None)
    assert conversation.statements.count() == 3
    with zipfile.ZipFile(io.BytesIO(pack_zip(conversation))) as archive:
        assert sorted(archive.namelist()) == sorted(d2_scene.FILES)
        unpacked = tmp_path / "again"
        unpacked.mkdir()
        archive.extractall(unpacked)
    export = read_polis_folder(unpacked)
    assert {r["comment-id"] for r in export.comments} == {"0", "1", "2"}


def test_file_paths_are_never_taken_from_the_zip(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    unpack_zip(io.BytesIO(d2_scene.tiny_zip("evil/")), target)
    assert not (target / "evil").exists()
    assert Path(target / "comments.csv").is_file()


def test_an_import_stands_when_its_analysis_fails(council, tmp_path, monkeypatch, caplog):
    from moothall.deliberation import domain

    def broken(conversation):
        raise RuntimeError("engine trouble")

    monkeypatch.setattr(domain, "run_analysis", broken)
    conversation = import_conversation(council, d2_scene.write_folder(tmp_path / "t"), by=None)
    assert conversation.votes.count() == 7
    assert not conversation.analyses.exists()
    assert "analysis of imported conversation" in caplog.text


# --- Any vote history ----------------------------------------------------------------------

EVENT = st.tuples(
    st.integers(min_value=0, max_value=2),  # voter
    st.integers(min_value=0, max_value=2),  # statement
    st.sampled_from(["-1", "0", "1"]),
    st.integers(min_value=1_600_000_000_000, max_value=1_600_000_000_004),  # ties often
)


@given(events=st.lists(EVENT, min_size=1, max_size=40))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_vote_history_survives_the_round_trip(council, events):
    votes = [["timestamp", "datetime", "comment-id", "voter-id", "vote"]]
    votes += [[str(ts), "", str(tid), str(pid), value] for pid, tid, value, ts in events]
    files: dict[str, object] = {
        "comments.csv": [
            ["timestamp", "comment-id", "author-id", "moderated", "comment-body"],
            *[["1600000000000", str(n), "", "1", f"Statement {n}"] for n in range(3)],
        ],
        "votes.csv": votes,
    }
    with tempfile.TemporaryDirectory() as folder:
        source = d2_scene.write_folder(Path(folder) / "in", files)
        original = read_polis_folder(source)
        conversation = import_conversation(council, source, by=None)
        export_conversation(conversation, Path(folder) / "out")
        again = read_polis_folder(Path(folder) / "out")
    assert _last_votes(again) == _last_votes(original)
    assert Counter(
        (r["timestamp"], r["comment-id"], r["voter-id"], r["vote"]) for r in again.votes
    ) == Counter(
        (r["timestamp"], r["comment-id"], r["voter-id"], r["vote"]) for r in original.votes
    )
    assert conversation.votes.count() == len(_last_votes(original))
