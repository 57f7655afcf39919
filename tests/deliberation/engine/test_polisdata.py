"""The Polis open-data reader and writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moothall.deliberation.engine import (
    PolisDataError,
    PolisExport,
    VoteTable,
    participants_rows,
    polis_datetime,
    read_polis_folder,
    write_polis_folder,
)

from .conftest import CONVERSATIONS

FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_a_real_conversation_is_written_back_byte_for_byte(name, polis_folder, tmp_path):
    source = polis_folder(name)
    export = read_polis_folder(source)
    write_polis_folder(tmp_path / "copy", export)
    for file in FILES:
        assert (tmp_path / "copy" / file).read_bytes() == (source / file).read_bytes(), file
    assert read_polis_folder(tmp_path / "copy") == export


def test_the_two_comment_layouts_are_read_as_they_are(conversation):
    newer, _ = conversation("bg2050-volunteers")
    older, _ = conversation("brexit-consensus")
    assert list(newer.comments[0]) == [
        "timestamp",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "is-meta",
        "is-seed",
        "group-informed-consensus",
        "comment-body",
    ]
    assert list(older.comments[0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    assert newer.summary["topic"] == "Together, we'll build the BG of 2050."
    assert newer.summary["groups"] == "2"
    assert len(newer.meta_statements()) == 1
    assert len(newer.moderated_out()) == 55
    assert older.meta_statements() == frozenset()


def test_typed_views_of_a_conversation(conversation):
    export, table = conversation("brexit-consensus")
    participants, statements, values, timestamps = export.vote_arrays()
    assert participants.size == statements.size == values.size == 5312
    assert timestamps is not None
    assert timestamps.dtype == np.int64
    # Nine participants changed a vote: the table keeps one vote per pair.
    assert table.n_votes == 5303
    assert (table.n_participants, table.n_statements) == (204, 50)
    groups = export.group_ids()
    assert sum(1 for g in groups.values() if g is None) == 7
    assert {g for g in groups.values() if g is not None} == {0, 1}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_participants_rows_rebuild_the_participants_file(name, conversation):
    export, table = conversation(name)
    header = list(export.participants[0])
    statements = [int(c) for c in header[header.index("n-disagree") + 1 :]]
    authored: dict[int, int] = {}
    for row in export.comments:
        author = int(row["author-id"])
        authored[author] = authored.get(author, 0) + 1
    xids = (
        {int(r["participant"]): r["xid"] for r in export.participants} if "xid" in header else None
    )
    rows = participants_rows(
        table,
        statements,
        groups=export.group_ids(),
        authored=authored,
        xids=xids,
        participants=[int(r["participant"]) for r in export.participants],
    )
    assert rows == export.participants


def test_written_values_may_be_numbers_booleans_and_none(tmp_path):
    export = PolisExport(
        summary={"topic": "Parks, and play", "groups": 2},
        comments=[
            {
                "timestamp": 1,
                "comment-id": 0,
                "author-id": 0,
                "agrees": 1,
                "disagrees": 0,
                "moderated": 1,
                "is-meta": False,
                "is-seed": True,
                "group-informed-consensus": 0.5,
                "comment-body": 'Say "yes"',
            },
        ],
        votes=[
            {
                "timestamp": 1,
                "datetime": polis_datetime(1),
                "comment-id": 0,
                "voter-id": 0,
                "vote": 1,
            }
        ],
        participants=[
            {
                "participant": 0,
                "group-id": None,
                "n-comments": 1,
                "n-votes": 1,
                "n-agree": 1,
                "n-disagree": 0,
                "0": 1,
            }
        ],
    )
    write_polis_folder(tmp_path, export)
    assert (tmp_path / "summary.csv").read_text() == 'topic,"Parks, and play"\ngroups,2\n'
    assert (tmp_path / "comments.csv").read_text() == (
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,"
        "group-informed-consensus,comment-body\n"
        '1,0,0,1,0,1,false,true,0.5,"Say ""yes"""\n'
    )
    assert (tmp_path / "votes.csv").read_text() == (
        "timestamp,datetime,comment-id,voter-id,vote\n1,Thu Jan 01 00:00:00 UTC 1970,0,0,1\n"
    )
    assert (tmp_path / "participants-votes.csv").read_text() == (
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n0,,1,1,1,0,1\n"
    )
    again = read_polis_folder(tmp_path)
    assert again.group_ids() == {0: None}
    assert again.vote_table().n_votes == 1


def test_an_empty_conversation_round_trips(tmp_path):
    write_polis_folder(tmp_path, PolisExport())
    export = read_polis_folder(tmp_path)
    assert export == PolisExport()
    assert export.vote_table().n_votes == 0


def test_polis_datetime_is_java_style_in_utc():
    assert polis_datetime(1726860583813) == "Fri Sep 20 19:29:43 UTC 2024"


def _folder(tmp_path: Path, comments: str, votes: str) -> Path:
    (tmp_path / "comments.csv").write_text(comments)
    (tmp_path / "votes.csv").write_text(votes)
    return tmp_path


COMMENTS = "timestamp,comment-id,author-id,moderated,comment-body\n1,0,0,1,A\n2,1,0,-1,B\n"
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,1,0,-1\n"


def test_a_minimal_folder_is_enough(tmp_path):
    export = read_polis_folder(_folder(tmp_path, COMMENTS, VOTES))
    assert export.participants == []
    assert export.summary == {}
    assert export.moderated_out() == frozenset({1})


@pytest.mark.parametrize(
    ("comments", "votes", "message"),
    [
        (COMMENTS, None, "votes.csv is missing"),
        (None, VOTES, "comments.csv is missing"),
        ("", VOTES, "comments.csv: empty file (no header line)"),
        ("timestamp,comment-body\n1,A\n", VOTES, "comments.csv: no column comment-id, moderated"),
        (COMMENTS, "comment-id,voter-id\n0,0\n", "votes.csv: no column vote"),
        (COMMENTS, VOTES + "3,x,0,1,2\n", "votes.csv line 4: vote must be -1, 0 or 1 (got '2')"),
        (
            COMMENTS,
            VOTES + "3,x,0,one,1\n",
            "votes.csv line 4: voter-id 'one' is not a whole number",
        ),
        (COMMENTS, VOTES + "3,x,7,1,1\n", "votes.csv line 4: comment-id 7 is not in comments.csv"),
        (COMMENTS, VOTES + "3,x,0\n", "votes.csv line 4: 3 fields, the header has 5"),
        (COMMENTS + "3,1,0,1,C\n", VOTES, "comments.csv line 4: comment-id 1 appears twice"),
        (COMMENTS + "3,2,0,2,C\n", VOTES, "comments.csv line 4: moderated must be -1, 0 or 1"),
        (
            COMMENTS,
            VOTES + "later,x,0,1,1\n",
            "votes.csv line 4: timestamp 'later' is not a whole number",
        ),
    ],
)
def test_malformed_folders_are_refused_with_a_line_to_fix(tmp_path, comments, votes, message):
    if comments is not None:
        (tmp_path / "comments.csv").write_text(comments)
    if votes is not None:
        (tmp_path / "votes.csv").write_text(votes)
    with pytest.raises(PolisDataError) as caught:
        read_polis_folder(tmp_path)
    assert str(caught.value) == message


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(PolisDataError, match="not a folder"):
        read_polis_folder(tmp_path / "nowhere")


def test_text_that_is_not_utf8_is_refused(tmp_path):
    _folder(tmp_path, COMMENTS, VOTES)
    (tmp_path / "comments.csv").write_bytes(b"comment-id,moderated\n0,1\xff\n")
    with pytest.raises(PolisDataError, match=r"comments\.csv: not UTF-8"):
        read_polis_folder(tmp_path)


def test_a_summary_row_must_be_a_key_and_a_value(tmp_path):
    _folder(tmp_path, COMMENTS, VOTES)
    (tmp_path / "summary.csv").write_text("topic,a,b\n")
    with pytest.raises(PolisDataError, match=r"summary\.csv line 1: expected key,value"):
        read_polis_folder(tmp_path)


def test_vote_table_of_an_export_keeps_the_latest_vote(tmp_path):
    votes = "timestamp,datetime,comment-id,voter-id,vote\n5,x,0,0,-1\n2,x,0,0,1\n"
    table = read_polis_folder(_folder(tmp_path, COMMENTS, votes)).vote_table()
    assert isinstance(table, VoteTable)
    assert table.values.tolist() == [-1]
