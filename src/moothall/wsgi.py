"""WSGI entry point for production servers
(``granian --interface wsgi moothall.wsgi:application``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
application = get_wsgi_application()

# As moothall.asgi does: what is loaded now lives as long as the process, so the cyclic
# garbage collector need not walk it again. Unfrozen, a full collection in a web process
# walked about 190,000 objects for 110 ms, holding the GIL (every thread of the process
# waited), once every few thousand requests; frozen, it walks what requests made.
gc.collect()
gc.freeze()
