"""``python -m moothall pb_results FILE.pb [--rule RULE] --out FILE.json``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SMALL = """META
key;value
description;Example
budget;1100
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost
bike;700
gym;400
park;250
playground;200
library;100
VOTES
voter_id;vote
1;bike,gym
2;bike,gym,park
3;bike,gym
4;bike,gym,park
5;bike,gym,park
6;bike,gym
7;park,playground,library
8;playground
9;playground,library
10;park,playground,library
11;bike
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _run(*args: str) -> None:
    call_command("pb_results", *args, stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_the_file_s_own_rule_is_the_default(small: Path, tmp_path: Path):
    out = tmp_path / "out.json"
    _run(str(small), "--out", str(out))
    data = json.loads(out.read_text())
    assert data == {
        "rule": "equalshares",
        "selected": ["bike", "playground", "library"],
        "spent": 1000,
        "budget": 1100,
    }


def test_rule_overrides_the_file_s_rule(small: Path, tmp_path: Path):
    out = tmp_path / "out.json"
    _run(str(small), "--rule", "greedy", "--out", str(out))
    data = json.loads(out.read_text())
    assert data["rule"] == "greedy"
    assert data["selected"] == ["bike", "gym"]
    assert isinstance(data["spent"], int)
    assert isinstance(data["budget"], int)


def test_decimal_money_is_a_json_number(tmp_path: Path):
    path = tmp_path / "decimal.pb"
    path.write_text(
        SMALL.replace("budget;1100", "budget;1100.5").replace("bike;700", "bike;700.25")
    )
    out = tmp_path / "out.json"
    _run(str(path), "--rule", "greedy", "--out", str(out))
    data = json.loads(out.read_text())
    assert data["budget"] == 1100.5
    assert data["spent"] == 1100.25


def test_an_unknown_rule_is_a_one_line_error_and_writes_nothing(small: Path, tmp_path: Path):
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match="Unknown rule 'mes'"):
        _run(str(small), "--rule", "mes", "--out", str(out))
    assert not out.exists()


def test_a_malformed_or_missing_file_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("park;250", "park;lots"))
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=r"line 11: cost of project 'park' is not a number"):
        _run(str(bad), "--out", str(out))
    with pytest.raises(CommandError, match="cannot read"):
        _run(str(tmp_path / "absent.pb"), "--out", str(out))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_a_file_without_a_rule_needs_rule(small: Path, tmp_path: Path):
    small.write_text(SMALL.replace("rule;equalshares\n", ""))
    with pytest.raises(CommandError, match="no rule line"):
        _run(str(small), "--out", str(tmp_path / "out.json"))


def test_through_python_m_moothall(small: Path, tmp_path: Path):
    out = tmp_path / "out.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src")}
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "moothall", "pb_results", str(small), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["selected"] == ["bike", "playground", "library"]
    failed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "moothall",
            "pb_results",
            str(small),
            "--rule",
            "x",
            "--out",
            str(out) + "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode != 0
    assert failed.stderr.strip().count("\n") == 0
    assert "Traceback" not in failed.stderr
    assert "Unknown rule 'x'" in failed.stderr
    assert not Path(str(out) + "2").exists()
