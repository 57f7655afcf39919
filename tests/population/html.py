"""Reading tables as a person would: by caption, each row as its header and cells."""

from __future__ import annotations

import re

from tests.staff.html import text

_TABLE = re.compile(r"<table[^>]*>(.*?)</table>", re.S)


def tables(html: str) -> dict[str, list[list[str]]]:
    """{caption: [[row header, cell, ...], ...]} for every table (body rows only)."""
    found = {}
    for table in _TABLE.findall(html):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S)
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S) if body else []
        found[text(caption[1]) if caption else ""] = [
            [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows
        ]
    return found


def column_headers(html: str) -> list[list[str]]:
    return [
        [text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)]
        for table in _TABLE.findall(html)
    ]
