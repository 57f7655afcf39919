"""WSGI entry point for production servers
(``granian --interface wsgi moothall.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

from moothall.core.startup import settle_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
application = get_wsgi_application()

# Load the views now and freeze what start-up loaded out of the garbage collector's sight
# (moothall.core.startup says why).
settle_process()
