from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def register_csv(shared_data: Path) -> Path:
    return shared_data / "councils" / "uk_local_authorities.csv"


@pytest.fixture
def moderngov(shared_data: Path) -> Path:
    return shared_data / "moderngov"
