from __future__ import annotations

import pytest


@pytest.fixture
def scene(council, resident):
    # Imported here: importing the verbs while conftests load, before the root conftest's
    # pytest_configure, would fix the task backend to the database one.
    from tests.moderation.scene import build_scene

    return build_scene(council, resident)
