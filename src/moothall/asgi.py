"""ASGI entry point (``uvicorn moothall.asgi:application``): serves every page, and the
live meeting streams (server-sent events) without a thread per listener."""

import os

from django.core.asgi import get_asgi_application

from moothall.core.startup import settle_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
application = get_asgi_application()

# Load the views and freeze what start-up loaded (moothall.core.startup says why): with
# thousands of open streams, an unfrozen full collection paused the event loop for up
# to 0.8 s (measured with PostgreSQL; docs/benchmarks.md).
settle_process()
