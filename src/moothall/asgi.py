"""ASGI entry point (``uvicorn moothall.asgi:application``): serves every page, and the
live meeting streams (server-sent events) without a thread per listener."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
application = get_asgi_application()
