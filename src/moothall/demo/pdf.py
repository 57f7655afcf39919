"""A minimal PDF writer for generated demo papers (and test fixtures): text only, Helvetica.

Real councils upload real PDFs; the demo needs thousands of small, valid ones fast,
whose text pypdf can read back for search.
"""

from __future__ import annotations

import textwrap


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(text: str, *, title: str = "", lines_per_page: int = 50) -> bytes:
    """A valid PDF whose pages hold ``text`` (Latin-1 characters; others become '?')."""
    lines: list[str] = []
    if title:
        lines += [title, ""]
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, 90) or [""]
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    objects: list[bytes] = []
    font_id = 3
    page_ids = []
    for n, page_lines in enumerate(pages):
        page_id = 4 + 2 * n
        page_ids.append(page_id)
        stream = "BT /F1 10 Tf 50 800 Td 14 TL\n" + "".join(
            f"({_escape(line)}) Tj T*\n" for line in page_lines
        )
        body = stream.encode("latin-1", errors="replace") + b"ET"
        objects.append(
            f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents {page_id + 1} 0 R"
            f"/Resources<</Font<</F1 {font_id} 0 R>>>>>>".encode()
        )
        objects.append(b"<</Length %d>>stream\n" % len(body) + body + b"\nendstream")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    head = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        f"<</Type/Pages/Kids[{kids}]/Count {len(page_ids)}>>".encode(),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(head + objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(out)
