from tests.correspondence.scene import (  # noqa: F401 - fixtures
    area,
    cara_user,
    dan_user,
    lowdale_officer,
    outsider,
    scene,
    stranger,
    writer,
)
