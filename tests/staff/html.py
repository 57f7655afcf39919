"""Reading what a back-office page says, as a person would: headings, tables, errors, banners."""

from __future__ import annotations

import re
from html import unescape

from django.http import HttpResponse

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, with whitespace collapsed."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", fragment))).strip()


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _main(response: HttpResponse) -> str:
    page = _html(response)
    start, end = page.index('<main class="govuk-main-wrapper"'), page.index("</main>")
    return page[start:end]


def h1(response: HttpResponse) -> str:
    return text(re.search(r"<h1[^>]*>(.*?)</h1>", _html(response), re.S)[1])  # type: ignore[index]


def title(response: HttpResponse) -> str:
    return text(re.search(r"<title>(.*?)</title>", _html(response), re.S)[1])  # type: ignore[index]


_SUMMARY = re.compile(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', re.S)
_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)


def error_summary(response: HttpResponse) -> list[str]:
    found = _SUMMARY.search(_html(response))
    if found is None:
        return []
    return [text(item) for item in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def error_links(response: HttpResponse) -> list[str]:
    found = _SUMMARY.search(_html(response))
    return re.findall(r'href="([^"]+)"', found[1]) if found else []


def field_errors(response: HttpResponse) -> dict[str, str]:
    """Inline error messages by the id of their field."""
    return {
        field_id: text(message)
        for field_id, message in re.findall(
            r'<p id="([^"]+)-error" class="govuk-error-message">(.*?)</p>', _html(response), re.S
        )
    }


def table_rows(response: HttpResponse) -> list[list[str]]:
    """The text of each cell of each row in the body of the (first) table in <main>."""
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', _main(response), re.S)
    if body is None:
        return []
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S)
    ]


def summary(response: HttpResponse) -> dict[str, str]:
    """A GOV.UK summary list as {key: value}."""
    return {
        text(key): text(value)
        for key, value in re.findall(
            r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*'
            r'<dd class="govuk-summary-list__value">(.*?)</dd>',
            _main(response),
            re.S,
        )
    }


def banners(response: HttpResponse) -> list[str]:
    """The messages shown in notification banners."""
    return [
        text(message)
        for message in re.findall(
            r'<p class="govuk-notification-banner__heading">(.*?)</p>', _html(response), re.S
        )
    ]


def links(response: HttpResponse) -> list[tuple[str, str]]:
    """(text, href) of every link inside <main>."""
    return [(text(label), unescape(href)) for href, label in _LINK.findall(_main(response))]


def main_text(response: HttpResponse) -> str:
    return text(_main(response))
