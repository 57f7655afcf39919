from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

PABULIB = SHARED_DATA / "pabulib"
FILES = sorted(PABULIB.glob("*.pb")) if PABULIB.is_dir() else []


def pb_files() -> list[Path]:
    """The shared Pabulib files (parametrize with ids = file names)."""
    return FILES


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    if not PABULIB.is_dir():
        pytest.skip(f"the shared Pabulib folder is absent: {PABULIB}")
    return PABULIB
