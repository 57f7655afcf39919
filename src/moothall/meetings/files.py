"""What a document is (judged by its bytes) and the text inside it, for search.

Pure functions of bytes: no models, no storage. PDF text comes from pypdf, DOCX
text from the XML inside the zip (parsed with defusedxml), HTML text from the
standard library's parser.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

from defusedxml import ElementTree

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"

# The most text we keep per document: enough for any agenda pack's words.
MAX_TEXT = 2_000_000
# A zip whose parts unpack to more than this is refused (zip bombs).
MAX_UNPACKED = 200 * 1024 * 1024

_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|p|div|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ExtractionFailed(Exception):
    """The file's text could not be read (damaged, encrypted, not what it claimed)."""


def sniff_content_type(data: bytes) -> str | None:
    """PDF, DOCX or HTML by content; None for anything else (whatever its name says)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
        return None
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                return None
        return HTML
    return None


def extract_text(data: bytes, content_type: str) -> str:
    """The readable text of a document, whitespace tidied; raises ExtractionFailed."""
    if content_type == PDF:
        text = _pdf_text(data)
    elif content_type == DOCX:
        text = _docx_text(data)
    elif content_type == HTML:
        text = _html_text(data)
    else:
        raise ExtractionFailed(f"cannot read {content_type}")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[:MAX_TEXT]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionFailed("the PDF is encrypted")
        pages = []
        total = 0
        for page in reader.pages:
            page_text = page.extract_text() or ""
            pages.append(page_text)
            total += len(page_text)
            if total > MAX_TEXT:
                break
        return "\n\n".join(pages)
    except ExtractionFailed:
        raise
    except (
        PyPdfError,
        RecursionError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        ZeroDivisionError,
    ) as error:
        raise ExtractionFailed(f"the PDF could not be read: {error}") from error


def _docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_UNPACKED:
                raise ExtractionFailed("the document is too large to read")
            xml = archive.read(info)
        root = ElementTree.fromstring(xml)
    except ExtractionFailed:
        raise
    except Exception as error:  # zipfile and XML errors of many kinds
        raise ExtractionFailed(f"the Word document could not be read: {error}") from error
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


class _TextParser(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "template", "noscript"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "table"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _html_text(data: bytes) -> str:
    try:
        html = data.decode("utf-8")
    except UnicodeDecodeError:
        html = data.decode("cp1252", errors="replace")
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError as error:  # html.parser asserts on some broken markup
        raise ExtractionFailed(f"the web page could not be read: {error}") from error
    return "".join(parser.parts)
