"""Where ModernGov answers come from, and the one fetcher that may reach the council's host.

A run reads three kinds of answer: ``GetCommittees``, ``GetMeetings`` (one per
committee) and ``GetMeeting`` (one per meeting). They come from either

- a ModernGov web service, :class:`WebService`: ``<base>/mgWebService.asmx/<operation>``
  on the council's configured ModernGov address or on a base URL given to the command; or
- a folder of saved answers, :class:`SavedAnswers`, laid out as::

      GetCommittees.xml
      GetMeetings_<committeeid>.xml   one per committee (none: the committee has no meetings)
      GetMeeting_<meetingid>.xml      one per meeting listed in the date range

Every network read goes through :func:`fetch`, which takes a :class:`Site` and reaches
that site's host and no other: an address on another host is refused before any
connection is made, and so is a redirect to one. Documents are fetched on the council's
*configured* ModernGov host only, whatever the answers were read from.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from django.utils.translation import gettext as _

from moothall.councils.importers import ImportFailed
from moothall.councils.importers.sources import (
    MAX_BYTES,
    TIMEOUT_SECONDS,
    display_name,
    fetch_with,
    read_source,
)

_WEB_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SERVICE = "/mgWebService.asmx"


@dataclass(frozen=True)
class Site:
    """A ModernGov site, e.g. ``https://moderngov.example.gov.uk``: one scheme, host and port."""

    scheme: str
    hostname: str
    port: int
    base: str  # scheme://netloc/path, without a trailing slash or /mgWebService.asmx

    @classmethod
    def from_url(cls, url: str) -> Site:
        """The site at ``url`` (the base address, or its ``…/mgWebService.asmx``)."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = -1
        if scheme not in _WEB_SCHEMES or not parts.hostname or port == -1:
            raise ImportFailed(_("%(url)s is not an http(s) address.") % {"url": display_name(url)})
        if parts.username or parts.password:
            raise ImportFailed(_("Put no user name or password in the address."))
        path = parts.path.rstrip("/")
        if path.lower().endswith(_SERVICE.lower()):
            path = path[: -len(_SERVICE)].rstrip("/")
        netloc = parts.netloc.lower()
        return cls(
            scheme=scheme,
            hostname=parts.hostname.lower(),
            port=port or _DEFAULT_PORTS[scheme],
            base=urlunsplit((scheme, netloc, path, "", "")),
        )

    @property
    def netloc(self) -> str:
        return urlsplit(self.base).netloc

    def owns(self, url: str) -> bool:
        """True if ``url`` is an http(s) address on this site's host (and port, if it names one)."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            return False
        return (
            parts.scheme.lower() in _WEB_SCHEMES
            and (parts.hostname or "").lower() == self.hostname
            and not parts.username
            and not parts.password
            and (port is None or port == self.port)
        )

    def resolve(self, link: str) -> str | None:
        """The address to fetch for a link found in an answer, or None if it is on another host.

        A relative link is taken from the site's base. ModernGov writes its own links as
        ``http://`` even where the site is served over https; a link on this host is
        fetched with the site's own scheme and port.
        """
        absolute = urljoin(self.base + "/", link.strip())
        if not self.owns(absolute):
            return None
        parts = urlsplit(absolute)
        return urlunsplit((self.scheme, self.netloc, parts.path, parts.query, ""))

    def page(self, path_and_query: str) -> str:
        """The address of a page of the site, e.g. ``mgCommitteeDetails.aspx?ID=101``."""
        return f"{self.base}/{path_and_query}"


def host_of(link: str, site: Site | None = None) -> str:
    """The host a link points at, for messages (relative links are on ``site``)."""
    absolute = urljoin(site.base + "/", link.strip()) if site else link.strip()
    return urlsplit(absolute).hostname or link.strip()[:80]


# --- Fetching, on one site only ------------------------------------------------------


class _SameSiteRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same site: never to another host or scheme."""

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not self.site.owns(newurl):
            raise ImportFailed(
                _("%(url)s redirected to %(target)s, which is on another host: not followed.")
                % {"url": display_name(req.full_url), "target": display_name(newurl)}
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str, site: Site, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    """The bytes at ``url``, which must be on ``site``. Raises ImportFailed.

    An address on another host is refused here, before any connection is made.
    """
    label = display_name(url)  # named in every message; the query may carry a key
    if not site.owns(url):
        raise ImportFailed(
            _("%(url)s is not on %(host)s: not fetched.") % {"url": label, "host": site.hostname}
        )
    opener = urllib.request.build_opener(_SameSiteRedirects(site))
    return fetch_with(opener, url, label=label, max_bytes=max_bytes, timeout=timeout)


# --- The answers -----------------------------------------------------------------------


class AnswerSource(Protocol):
    """Gives the raw bytes of each ModernGov answer a run needs."""

    description: str  # for the audit log: a folder path or a URL without its query

    def committees(self) -> bytes: ...

    def meetings(self, committee_id: str, date_from: dt.date, date_to: dt.date) -> bytes | None:
        """The committee's GetMeetings answer; None if a folder has none saved for it."""

    def meeting(self, meeting_id: str) -> bytes: ...


class SavedAnswers:
    """Answers saved as files in a folder (the layout is in this module's docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ImportFailed(_("%(path)s is not a folder.") % {"path": str(folder)[:300]})
        self.description = str(self.folder)[:300]

    def committees(self) -> bytes:
        return self._read("GetCommittees.xml", what=_("the GetCommittees answer"))

    def meetings(self, committee_id: str, date_from: dt.date, date_to: dt.date) -> bytes | None:
        path = self.folder / f"GetMeetings_{committee_id}.xml"
        return read_source(str(path)) if path.is_file() else None

    def meeting(self, meeting_id: str) -> bytes:
        return self._read(
            f"GetMeeting_{meeting_id}.xml",
            what=_("the GetMeeting answer for meeting %(id)s") % {"id": meeting_id},
        )

    def _read(self, name: str, *, what: str) -> bytes:
        path = self.folder / name
        if not path.is_file():
            raise ImportFailed(
                _("%(folder)s has no %(name)s (%(what)s).")
                % {"folder": self.description, "name": name, "what": what}
            )
        return read_source(str(path))


class WebService:
    """A live ModernGov web service: ``<site>/mgWebService.asmx/<operation>``."""

    def __init__(self, site: Site, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.site = site
        self.timeout = timeout
        self.description = site.base + _SERVICE

    def committees(self) -> bytes:
        return self._call("GetCommittees", {})

    def meetings(self, committee_id: str, date_from: dt.date, date_to: dt.date) -> bytes:
        return self._call(
            "GetMeetings",
            {
                "lCommitteeId": committee_id,
                "sFromDate": date_from.strftime("%d/%m/%Y"),
                "sToDate": date_to.strftime("%d/%m/%Y"),
            },
        )

    def meeting(self, meeting_id: str) -> bytes:
        return self._call("GetMeeting", {"lMeetingId": meeting_id})

    def _call(self, operation: str, params: dict[str, str]) -> bytes:
        url = f"{self.description}/{operation}"
        if params:
            url += "?" + urlencode(params, safe="/")  # dd/mm/yyyy as ModernGov writes it
        return fetch(url, self.site, timeout=self.timeout)
