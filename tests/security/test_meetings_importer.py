"""Adversarial review (helper "review"): the ModernGov importer fetches from one host only,
reads bounded answers and refuses XML tricks."""

from __future__ import annotations

import http.server
import threading

import pytest

from moothall.meetings.importers import ImportFailed
from moothall.meetings.importers.moderngov import parse_committees
from moothall.meetings.importers.sources import Site, fetch

SITE = Site.from_url("https://moderngov.example.gov.uk")


@pytest.mark.parametrize(
    "link",
    [
        "http://evil.example/doc.pdf",
        "//evil.example/doc.pdf",
        "http://evil.example@moderngov.example.gov.uk/doc.pdf",
        "http://moderngov.example.gov.uk@evil.example/doc.pdf",
        "http://evil.example\\@moderngov.example.gov.uk/doc.pdf",
        "http://moderngov.example.gov.uk\\@evil.example/doc.pdf",
        "http://moderngov.example.gov.uk:8080/doc.pdf",
        "http://moderngov.example.gov.uk.evil.example/doc.pdf",
        "http://moderngov.example.gov.uk\t.evil.example/doc.pdf",
        "http://[::1]/doc.pdf",
        "http://127.0.0.1/doc.pdf",
        "file:///etc/passwd",
        "ftp://moderngov.example.gov.uk/doc.pdf",
        "javascript:alert(1)",
    ],
)
def test_a_link_to_anywhere_but_the_councils_host_is_never_fetched(link):
    assert SITE.resolve(link) is None
    with pytest.raises(ImportFailed):
        fetch(link, SITE, timeout=0.01)


def test_links_on_the_councils_host_are_fetched_with_its_own_scheme():
    assert SITE.resolve("HTTP://ModernGov.Example.gov.uk/documents/s1/a.pdf") == (
        "https://moderngov.example.gov.uk/documents/s1/a.pdf"
    )
    assert SITE.resolve("documents/s1/a.pdf#x") == (
        "https://moderngov.example.gov.uk/documents/s1/a.pdf"
    )


def test_a_site_address_with_a_user_name_or_an_odd_scheme_is_refused():
    for url in ("https://u:p@moderngov.example.gov.uk", "file:///tmp", "https://host:99999/"):
        with pytest.raises(ImportFailed):
            Site.from_url(url)


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            port = self.server.server_address[1]
            self.send_header("Location", f"http://localhost:{port}/secret")
            self.end_headers()
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: read until closed
            self.wfile.write(b"x" * 5000)
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Site.from_url(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_to_another_host_is_not_followed(server):
    assert fetch(server.base + "/ok", server, timeout=5) == b"ok"
    with pytest.raises(ImportFailed, match="another host"):
        fetch(server.base + "/redirect", server, timeout=5)


def test_an_answer_without_a_length_is_still_cut_at_the_limit(server):
    with pytest.raises(ImportFailed, match="larger than"):
        fetch(server.base + "/big", server, max_bytes=1000, timeout=5)


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<committees>&b;</committees>",
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<committees>&x;</committees>",
        b'<?xml version="1.0" encoding="x-nonsense"?><committees/>',
        b"<committees><committee>",
        b"\xff\xfe<",
    ],
)
def test_hostile_or_broken_xml_fails_cleanly(xml):
    with pytest.raises(ImportFailed):
        parse_committees(xml)
