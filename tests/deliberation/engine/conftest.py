from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from moothall.deliberation.engine import PolisExport, VoteTable, read_polis_folder

CONVERSATIONS = ("bg2050-volunteers", "brexit-consensus", "scoop-hivemind.biodiversity")


@cache
def _read(folder: Path) -> tuple[PolisExport, VoteTable]:
    export = read_polis_folder(folder)
    return export, export.vote_table()


@pytest.fixture
def polis_folder(shared_data: Path):
    """``polis_folder(name)``: the path of a shared Polis open-data conversation."""

    def folder(name: str) -> Path:
        path = shared_data / "polis" / name
        if not path.is_dir():
            pytest.fail(f"the shared Polis conversation is missing: {path}")
        return path

    return folder


@pytest.fixture
def conversation(polis_folder):
    """``conversation(name)``: ``(PolisExport, VoteTable)`` of a shared conversation (read
    once per test session)."""

    def load(name: str) -> tuple[PolisExport, VoteTable]:
        return _read(polis_folder(name))

    return load
