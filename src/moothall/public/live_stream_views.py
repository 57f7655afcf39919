"""The live stream of a meeting (server-sent events), served by an async view so that an
open stream costs a coroutine, not a worker thread. Served by uvicorn (ASGI); see
:mod:`moothall.live.stream` for what is sent and in what order."""

from __future__ import annotations

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from moothall.live.stream import event_stream
from moothall.meetings.models import Meeting

# Last-Event-ID is a number we sent; anything else is ignored (the client starts afresh).
_MAX_SEQ = 2**63 - 1


def _last_event_id(request: HttpRequest) -> int:
    # The header wins: EventSource sends it when it reconnects, while the URL still
    # carries the number the page was rendered with.
    for raw in (request.headers.get("Last-Event-ID"), request.GET.get("last_event_id")):
        if raw is not None and raw.strip().isdigit():
            value = int(raw.strip())
            if value <= _MAX_SEQ:
                return value
    return 0


@require_GET
async def live_events(request: HttpRequest, council: str, pk: int) -> StreamingHttpResponse:
    # Every meeting of a council is public (as on the meeting page); exempt items are
    # kept out of the events themselves (moothall.live.events).
    if not await Meeting.objects.filter(council__slug=council, pk=pk).aexists():
        raise Http404
    response = StreamingHttpResponse(
        event_stream(pk, _last_event_id(request)), content_type="text/event-stream"
    )
    # Never stored, never transformed, never held back by a proxy (nginx honours
    # X-Accel-Buffering).
    response.headers["Cache-Control"] = "no-cache, no-store, no-transform"
    response.headers["X-Accel-Buffering"] = "no"
    return response
