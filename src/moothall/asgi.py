"""ASGI entry point (``uvicorn moothall.asgi:application``): serves every page, and the
live meeting streams (server-sent events) without a thread per listener."""

import os

from django.core.asgi import get_asgi_application

from moothall.core.startup import settle_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
application = get_asgi_application()

# Everything loaded so far (Django, the project, their modules) lives as long as the
# process: move it out of the cyclic garbage collector's sight, so that a full collection
# walks only what requests made. With thousands of open streams a full collection
# paused the event loop for up to 0.8 s (measured with PostgreSQL; docs/benchmarks.md).
# The views are loaded first, so they are frozen too (moothall.core.startup).
settle_process()
