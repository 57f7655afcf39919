"""Reading an importer's input from a file path or an http(s) URL, with limits.

A council's web service can be slow, redirect somewhere odd or answer far more
than expected; the reader gives up after a timeout and refuses an answer larger
than a cap rather than filling memory.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from moothall.councils.importers import ImportFailed

MAX_BYTES = 20 * 1024 * 1024  # a big council's ModernGov answer is well under 1 MB
TIMEOUT_SECONDS = 30.0
USER_AGENT = "Moothall importer (+https://github.com/moothall)"
_WEB_SCHEMES = ("http", "https")


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only; urllib would also follow one to ftp://."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _WEB_SCHEMES:
            raise ImportFailed(
                _("The server redirected to %(url)s, which is not an http(s) address.")
                % {"url": newurl}
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in _WEB_SCHEMES


def display_name(source: str) -> str:
    """How a source is named in messages and the audit log: a URL without its query."""
    if not is_url(source):
        return source[:300]
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]


def read_source(
    source: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    """The bytes at ``source``: an http(s) URL or a file path. Raises ImportFailed."""
    if is_url(source):
        return _read_url(source, max_bytes=max_bytes, timeout=timeout)
    return _read_file(Path(source), max_bytes=max_bytes)


def _read_file(path: Path, *, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return _read_capped(handle, max_bytes, str(path))
    except OSError as exc:
        raise ImportFailed(
            _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": exc.strerror or exc}
        ) from None


def _read_url(source: str, *, max_bytes: int, timeout: float) -> bytes:
    url = display_name(source)  # named in every message; the query may carry a key
    if "@" in urlsplit(source).netloc:
        raise ImportFailed(_("Put no user name or password in the address."))
    opener = urllib.request.build_opener(_WebOnlyRedirects)
    return fetch_with(opener, source, label=url, max_bytes=max_bytes, timeout=timeout)


def fetch_with(
    opener: urllib.request.OpenerDirector,
    url: str,
    *,
    label: str,
    max_bytes: int,
    timeout: float,
) -> bytes:
    """GET ``url`` through ``opener`` (which decides where redirects may go): refused when
    larger than ``max_bytes``, given up after ``timeout``; every failure an ImportFailed
    naming ``label``. The caller has checked the address's scheme (and host)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (scheme checked)
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_big(label, max_bytes)
            return _read_capped(response, max_bytes, label)
    except urllib.error.HTTPError as exc:
        raise ImportFailed(
            _("%(url)s answered HTTP %(status)d %(reason)s.")
            % {"url": label, "status": exc.code, "reason": exc.reason}
        ) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timed_out(label, timeout) from None
        raise ImportFailed(
            _("Cannot fetch %(url)s: %(error)s.") % {"url": label, "error": exc.reason}
        ) from None
    except TimeoutError:
        raise _timed_out(label, timeout) from None
    except (OSError, ValueError) as exc:  # connection reset, malformed URL or headers
        raise ImportFailed(
            _("Cannot fetch %(url)s: %(error)s.") % {"url": label, "error": exc}
        ) from None


def _read_capped(stream: IO[bytes], max_bytes: int, label: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(label, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(label: str, max_bytes: int) -> ImportFailed:
    return ImportFailed(
        _("%(source)s is larger than the %(limit)d bytes allowed.")
        % {"source": label, "limit": max_bytes}
    )


def _timed_out(url: str, timeout: float) -> ImportFailed:
    return ImportFailed(
        _("%(url)s did not answer within %(seconds)g seconds.") % {"url": url, "seconds": timeout}
    )
