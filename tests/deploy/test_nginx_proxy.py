"""deploy/nginx/moothall.conf run for real: nginx (Debian's) on loopback ports in front of
the app as deployed: a WSGI server for pages (moothall-web@) and uvicorn for the
live-meeting streams (moothall-live@). It redirects http to https, terminates TLS, serves
static files from disk itself, passes the forwarded scheme the app trusts (so the app
sees a secure request and sends HSTS), sends pages to the web processes, and streams a
live meeting's events from the ASGI process without holding them back."""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.test import override_settings

from tests import factories
from tests.browser.live_scene import serve_asgi
from tests.deploy.test_config_files import DEPLOY, nginx_config, require_nginx
from tests.services import free_port

HOST = "participate.example.gov.uk"


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx stopped: " + (log.read_text() if log.exists() else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_wsgi(application: Any) -> Iterator[tuple[str, list[str]]]:
    """A threaded WSGI server for ``application`` in this process (the web processes'
    stand-in); yields its address and the paths it was asked for."""
    served: list[str] = []

    def recorded(environ: dict[str, Any], start_response: Any) -> Any:
        served.append(environ["PATH_INFO"])
        return application(environ, start_response)

    server = ThreadedWSGIServer(("127.0.0.1", free_port()), _Quiet, allow_reuse_address=False)
    server.set_app(recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(20)


@pytest.fixture
def proxied(transactional_db, tmp_path):
    """nginx on two free ports in front of a WSGI server (pages) and uvicorn (live
    streams); yields (http port, https port, paths the WSGI server was asked for)."""
    nginx = require_nginx()
    static = tmp_path / "static" / "moothall"
    static.mkdir(parents=True)
    (static / "only-on-disk.css").write_text("body{color:#0b0c0c}")
    # Handlers of their own: middleware reads these settings when it is built, and
    # moothall.asgi's may have been built by an earlier test.
    with (
        override_settings(
            ALLOWED_HOSTS=[HOST],
            SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
            SECURE_SSL_REDIRECT=True,
            SECURE_HSTS_SECONDS=3600,
        ),
        serve_asgi(ASGIHandler()) as base_url,
        serve_wsgi(WSGIHandler()) as (web, served),
    ):
        http_port, https_port = free_port(), free_port()
        config = nginx_config(
            tmp_path,
            (DEPLOY / "nginx/moothall.conf").read_text(),
            upstream=[web],
            live=[base_url.replace("http://localhost", "127.0.0.1")],
            http=http_port,
            https=https_port,
        )
        process = subprocess.Popen(  # noqa: S603 (Debian's nginx on our own file)
            [nginx, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_for(https_port, process, tmp_path / "error.log")
            yield http_port, https_port, served
        finally:
            process.terminate()
            process.wait(timeout=20)


def _https(port: int) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)


def _get(connection: http.client.HTTPConnection, path: str) -> http.client.HTTPResponse:
    connection.request("GET", path, headers={"Host": HOST})
    return connection.getresponse()


def test_nginx_serves_the_app_over_tls_and_static_files_from_disk(proxied):
    http_port, https_port, served = proxied

    plain = _get(http.client.HTTPConnection("127.0.0.1", http_port, timeout=20), "/councils/")
    assert plain.status == 301
    assert plain.getheader("Location") == f"https://{HOST}:{https_port}/councils/"

    page = _get(_https(https_port), "/councils/")
    body = page.read().decode()
    # The app saw a secure request through X-Forwarded-Proto: no redirect of its own, and HSTS.
    assert page.status == 200, body[:500]
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=3600")
    assert page.getheader("Content-Security-Policy")
    assert page.getheader("Server") == "nginx"  # no version: server_tokens off
    assert served == ["/councils/"]  # by the web processes

    static = _get(_https(https_port), "/static/moothall/only-on-disk.css")
    assert static.status == 200
    assert static.read() == b"body{color:#0b0c0c}"
    assert "immutable" in static.getheader("Cache-Control", "")


def test_a_live_meeting_stream_is_passed_on_as_it_is_written(proxied, council):
    """The stream stays open; its first bytes arrive while it is still open. It is the
    live process's: the web processes never see it."""
    _, https_port, served = proxied
    meeting = factories.MeetingFactory(body=factories.BodyFactory(council=council))

    connection = _https(https_port)
    response = _get(connection, f"/{council.slug}/meetings/{meeting.pk}/live/events")
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    first = response.readline()  # returns once nginx has passed the first line on
    assert first.startswith(b"retry: ")
    assert not response.isclosed()
    connection.close()
    assert served == []
