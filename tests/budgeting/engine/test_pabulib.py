"""The Pabulib reader and writer: round trips of the shared files, and malformed input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.budgeting.engine import (
    Election,
    PabulibError,
    PbFile,
    parse_pb,
    read_pb,
    save_pb,
    write_pb,
)

from .conftest import pb_files

SMALL = """META
key;value
description;A test
budget;100
vote_type;approval
rule;greedy
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
1;60;"A; with semicolon"
2;50.5;"Say ""hello"" now"
VOTES
voter_id;vote;age
a;1,2;30
b;2;
"""


def test_a_small_file_is_read_with_its_typed_parts_and_its_text():
    pb = parse_pb(SMALL)
    assert pb.budget == Decimal(100)
    assert pb.vote_type == "approval"
    assert pb.rule == "greedy"
    assert [p.project_id for p in pb.projects] == ["1", "2"]
    assert pb.projects[1].cost == Decimal("50.5")
    assert pb.projects[0].fields["name"] == "A; with semicolon"
    assert pb.projects[1].fields["name"] == 'Say "hello" now'
    assert pb.votes[0].projects == ["1", "2"]
    assert pb.votes[1].fields["age"] == ""
    assert pb.selected() is None


def test_the_writer_quotes_what_needs_quoting_and_round_trips():
    pb = parse_pb(SMALL)
    text = write_pb(pb)
    assert '"A; with semicolon"' in text
    assert parse_pb(text) == pb


def test_spaces_around_fields_are_ignored_as_in_the_format_s_example():
    text = SMALL.replace("budget;100", "budget; 100").replace("a;1,2;30", "a; 1, 2 ; 30")
    pb = parse_pb(text)
    assert pb.budget == 100
    assert pb.votes[0].projects == ["1", "2"]


@pytest.mark.parametrize("path", pb_files(), ids=lambda p: p.stem)
def test_every_shared_file_round_trips(path: Path, tmp_path: Path):
    pb = read_pb(path)
    again = parse_pb(write_pb(pb))
    assert again == pb
    assert again.meta == pb.meta  # unknown META keys kept, in order
    assert again.project_columns == pb.project_columns
    assert again.vote_columns == pb.vote_columns
    save_pb(pb, tmp_path / "copy.pb")
    assert read_pb(tmp_path / "copy.pb") == pb
    election = Election.from_pb(again)
    assert election.n_voters == len(pb.votes)
    assert election.n_projects == len(pb.projects)


def test_cumulative_points_are_read_and_written():
    text = (
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nmax_sum_points;5\n"
        "PROJECTS\nproject_id;cost\np;4\nq;6\n"
        "VOTES\nvoter_id;vote;points\n1;p,q;3,2\n2;q;5\n"
    )
    pb = parse_pb(text)
    assert pb.votes[0].points == [Decimal(3), Decimal(2)]
    assert parse_pb(write_pb(pb)) == pb
    election = Election.from_pb(pb)
    assert election.weighted
    assert list(election.score) == [3.0, 7.0]


MALFORMED = [
    ("", "section META is missing"),
    ("PROJECTS\n", "line 1: section PROJECTS out of place"),
    ("META\nkey;value\nbudget;1\n", "section PROJECTS is missing"),
    ("META\nkey;val\n", "line 2: META header must be key;value"),
    (
        "META\nkey;value\nbudget;x\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
        "budget is not a number",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n",
        "line 7: cost of project '1' is not a number",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\n1;6\nVOTES\nvoter_id;vote\n",
        "project '1' listed twice",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv;2\n",
        "line 10: voter 'v' votes for unknown project '2'",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv;1;x\n",
        "line 10: 3 fields where the header has 2",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;-5\nVOTES\nvoter_id;vote\n",
        "line 7: cost of project '1' must be positive",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote;points\nv;1;1,2\n",
        "line 10: voter 'v' has 2 points for 1 projects",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nnum_votes;3\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv;1\n",
        "num_votes says 3 but the file has 1",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;magic\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
        "unknown vote_type 'magic'",
    ),
    (
        'META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;5;"open\n',
        "unreadable quoting",
    ),
    (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv;1,1\n",
        "line 10: voter 'v' names a project twice",
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_input_is_one_error_with_a_one_line_message(text: str, message: str):
    with pytest.raises(PabulibError) as caught:
        parse_pb(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_or_binary_file_is_a_pabulib_error(tmp_path: Path):
    with pytest.raises(PabulibError, match="cannot read"):
        read_pb(tmp_path / "absent.pb")
    (tmp_path / "bad.pb").write_bytes(b"META\n\xff\xfe")
    with pytest.raises(PabulibError, match="not UTF-8"):
        read_pb(tmp_path / "bad.pb")


def _outcome(text: str) -> str | None:
    """None if the text parses (and round-trips), else the PabulibError's message; any
    other exception fails the test."""
    try:
        pb = parse_pb(text)
    except PabulibError as error:
        return str(error)
    assert isinstance(pb, PbFile)
    assert parse_pb(write_pb(pb)) == pb
    return None


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('META PROJECTSVOTkeyvalu;,"\n0123456789.-_abc')), max_size=300
    )
)
def test_fuzz_text_never_raises_anything_but_a_pabulib_error(text: str):
    message = _outcome(text)
    assert message is None or "\n" not in message


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzz_mutations_of_a_good_file_never_raise_anything_else(data: st.DataObject):
    text = SMALL
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete"]))
        if action == "insert":
            text = (
                text[:position]
                + data.draw(st.sampled_from([";", '"', "\n", ",", "x", "-1", "1e9"]))
                + text[position:]
            )
        else:
            text = text[:position] + text[position + data.draw(st.integers(1, 5)) :]
    message = _outcome(text)
    assert message is None or "\n" not in message
