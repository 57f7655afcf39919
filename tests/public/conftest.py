from __future__ import annotations

import pytest

from tests.public.area import Area, build_area


@pytest.fixture
def area(db) -> Area:
    return build_area()
