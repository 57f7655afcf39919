"""``python -m moothall analyse_polis DIR --mode polis|improved --out FILE.json``: no database."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse_polis", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["polis", "improved"])
def test_the_command_analyses_a_real_folder(polis_folder, tmp_path, mode):
    # No `db` fixture: pytest-django fails the test if the command touches the database.
    out = tmp_path / "result.json"
    said = _run(str(polis_folder("brexit-consensus")), "--mode", mode, "--out", str(out))
    data = json.loads(out.read_text())
    assert set(data) == {"mode", "groups", "group_informed_consensus", "consensus", "repness"}
    assert data["mode"] == mode
    assert len(data["groups"]) == 204
    groups = {g for g in data["groups"].values() if g is not None}
    assert groups == set(range(len(groups)))
    assert len(groups) >= 2
    assert set(data["repness"]) == {str(g) for g in groups}
    assert len(data["group_informed_consensus"]) == 50
    assert all(0 < v < 1 for v in data["group_informed_consensus"].values())
    for entry in data["consensus"]:
        assert entry["direction"] in ("agree", "disagree")
        assert {"statement", "p_success", "p_test"} <= set(entry)
    assert said.startswith(f"{mode}: 204 participants, 5303 votes, {len(groups)} groups (")


def test_moderated_out_statements_are_left_out(polis_folder, tmp_path):
    out = tmp_path / "result.json"
    _run(str(polis_folder("scoop-hivemind.biodiversity")), "--out", str(out))
    data = json.loads(out.read_text())
    assert len(data["group_informed_consensus"]) == 316 - 162


def test_a_missing_folder_is_a_clear_error(tmp_path):
    out = tmp_path / "result.json"
    with pytest.raises(CommandError, match="nowhere: not a folder"):
        _run(str(tmp_path / "nowhere"), "--out", str(out))
    assert not out.exists()


def test_a_malformed_folder_is_a_clear_error(tmp_path):
    (tmp_path / "comments.csv").write_text("comment-id,moderated\n0,1\n")
    (tmp_path / "votes.csv").write_text("comment-id,voter-id,vote\n0,0,yes\n")
    out = tmp_path / "result.json"
    with pytest.raises(CommandError, match=r"votes.csv line 2: vote must be -1, 0 or 1"):
        _run(str(tmp_path), "--out", str(out))
    assert not out.exists()


def test_an_unwritable_output_is_a_clear_error(polis_folder, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        _run(str(polis_folder("brexit-consensus")), "--out", str(tmp_path / "no" / "x.json"))


def test_an_unknown_mode_is_refused(polis_folder, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'fast'"):
        _run(str(polis_folder("brexit-consensus")), "--mode", "fast", "--out", str(tmp_path / "x"))
