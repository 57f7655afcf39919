"""The postcode directory: an ONS postcode-directory style CSV into :class:`Postcode` rows.

Expected header (names matched case-insensitively, in any order, other columns ignored)::

    postcode, ward, district, county, parish[, division]

- ``postcode``: any spacing or case (``SW1A1AA``, ``sw1a 1aa``); stored as ``SW1A 1AA``.
- ``ward``, ``district``, ``county``: GSS codes (``E05000644``) of the ward, the
  district or unitary authority and the county.
- ``parish``: the parish's GSS code. It may be left out (NSPL files do not
  always carry it); the parish is then blank.
- ``division`` (optional): the county electoral division.

The ONS files are read as published, under their own column names:

======================  ==============  ==============
canonical               ONSPD           NSPL
======================  ==============  ==============
postcode                pcds or pcd     pcds or pcd
ward                    osward          ward
district                oslaua          laua
county                  oscty           cty
parish                  parish          parish
division (optional)     ced             ced
======================  ==============  ==============

Since 2025 ONS names many columns after the year of the boundaries they use
(``pcd7``, ``wd25cd``, ``lad25cd``, ``cty25cd``, ``ced25cd``, ``parncp25cd``); those
names are read too, the latest year first, when the names above are absent.

Terminated postcodes (``doterm`` set) are imported like live ones, on purpose:
ONS places every postcode, live or terminated, in *today's* areas (by its last
grid reference), so a resident who still writes an old postcode is shown their
current councils, not old ones. Skipping them would also be wrong for a
directory that is updated in place: a postcode that was live in last quarter's
file and is terminated in this one would keep last quarter's areas forever.
The summary counts them (``terminated``).

ONS writes a placeholder where an area does not apply (``E99999999`` for the
county of a unitary authority, ``W99999999``, ``S99999999``, ``L99999999``,
``M99999999``...). Those, and blanks, are stored as blank.

The file is streamed: rows are read one at a time and written in batches, each
batch in its own transaction, so a national file (2.7 million rows) never sits
in memory. A row whose postcode or codes are malformed is skipped and counted,
not fatal. Importing the same file again changes nothing. When a postcode
appears twice, the later row wins.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from moothall.core import audit
from moothall.councils.importers import ImportFailed
from moothall.councils.models import Postcode
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode

# Canonical column → the names it may have, first match wins.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "postcode": ("postcode", "pcds", "pcd"),
    "ward": ("ward", "osward"),
    "district": ("district", "oslaua", "laua"),
    "county": ("county", "oscty", "cty"),
    "parish": ("parish",),
    "division": ("division", "ced"),
}
# Year-coded names (ONS since 2025): canonical column → pattern whose group is the year.
YEAR_CODED_NAMES: dict[str, re.Pattern[str]] = {
    "postcode": re.compile(r"^pcd()[78]$"),
    "ward": re.compile(r"^wd(\d{2})cd$"),
    "district": re.compile(r"^lad(\d{2})cd$"),
    "county": re.compile(r"^cty(\d{2})cd$"),
    "parish": re.compile(r"^parncp(\d{2})cd$"),
    "division": re.compile(r"^ced(\d{2})cd$"),
}
TERMINATED_NAMES = ("doterm",)
REQUIRED = ("postcode", "ward", "district", "county")
# Canonical column → Postcode field.
FIELDS: dict[str, str] = {
    "ward": "ward_gss",
    "division": "division_gss",
    "district": "district_gss",
    "county": "county_gss",
    "parish": "parish_gss",
}
DEFAULT_BATCH_SIZE = 5000
SHOWN_SKIPPED_LINES = 10

_GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")
_PLACEHOLDER = re.compile(r"^[A-Z]9{8}$")
_LOOKUP_CHUNK = 500  # postcodes per "which of these exist?" query (SQLite's parameter limit)


class ProgressStream(Protocol):
    """Where the progress bar is drawn (a terminal stream, or anything with write/flush)."""

    def write(self, text: str, /) -> Any: ...

    def flush(self) -> Any: ...


@dataclass
class PostcodeImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    terminated: int = 0
    skipped_lines: list[int] = field(default_factory=list)


def header_columns(header: list[str]) -> dict[str, int]:
    """Each canonical column's index in ``header``; ImportFailed if a required one is missing."""
    # Reversed so that a name repeated in the header resolves to its first column.
    positions = {
        name.strip().lstrip("\ufeff").lower(): i for i, name in reversed(list(enumerate(header)))
    }
    columns: dict[str, int] = {}
    missing = []
    for canonical, names in COLUMN_NAMES.items():
        index = next((positions[name] for name in names if name in positions), None)
        if index is None:
            index = _latest_year_coded(positions, YEAR_CODED_NAMES[canonical])
        if index is not None:
            columns[canonical] = index
        elif canonical in REQUIRED:
            missing.append("/".join(names))
    if missing:
        raise ImportFailed(
            _(
                "The header has no %(columns)s column (expected postcode, ward, district, "
                "county, parish, division, or the ONSPD/NSPL names)."
            )
            % {"columns": ", ".join(missing)}
        )
    terminated = next((positions[name] for name in TERMINATED_NAMES if name in positions), None)
    if terminated is not None:
        columns["terminated"] = terminated
    return columns


def _latest_year_coded(positions: dict[str, int], pattern: re.Pattern[str]) -> int | None:
    """The index of the column whose name fits ``pattern`` with the latest year, if any."""
    found = [
        (match[1], -index) for name, index in positions.items() if (match := pattern.match(name))
    ]
    return -max(found)[1] if found else None


def is_terminated(row: list[str], columns: dict[str, int]) -> bool:
    """Whether the row gives a date of termination (ONSPD/NSPL ``doterm``, e.g. 201001)."""
    index = columns.get("terminated")
    return index is not None and index < len(row) and bool(row[index].strip())


def parse_row(row: list[str], columns: dict[str, int]) -> tuple[str, dict[str, str]] | None:
    """The canonical postcode and its codes, or None if the row is malformed."""
    if len(row) <= max(columns.values()):
        return None
    try:
        postcode = normalise_postcode(row[columns["postcode"]])
    except InvalidPostcode:
        return None
    values: dict[str, str] = {}
    for canonical, field_name in FIELDS.items():
        code = row[columns[canonical]].strip().upper() if canonical in columns else ""
        if _PLACEHOLDER.match(code):
            code = ""
        if code and not _GSS_CODE.match(code):
            return None
        values[field_name] = code
    return postcode, values


def import_postcodes(
    path: str | Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressStream | None = None,
    actor: Any = None,
) -> PostcodeImportSummary:
    """Stream the CSV at ``path`` into the postcode directory.

    Side effects: creates and updates Postcode rows, ``batch_size`` rows per
    transaction (never deletes one), then writes one ``postcodes.imported``
    audit entry with the counts. A bad header raises ImportFailed before any
    write. ``progress``, if given, is where the progress bar is drawn.
    """
    if batch_size < 1:
        raise ImportFailed(_("The batch size must be at least 1."))
    path = Path(path)
    summary = PostcodeImportSummary()
    try:
        size = path.stat().st_size
        with (
            path.open("rb") as handle,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                desc="Postcodes",
                file=progress,
                disable=progress is None,
            ) as bar,
        ):
            reader = csv.reader(_decoded_lines(handle, bar))
            try:
                header = next(reader)
            except StopIteration:
                raise ImportFailed(_("The file is empty.")) from None
            except csv.Error as exc:
                raise ImportFailed(
                    _("The header is not readable CSV (%(error)s).") % {"error": exc}
                ) from None
            columns = header_columns(header)

            batch: dict[str, dict[str, str]] = {}
            for line, row in _rows(reader):
                if row is not None and not any(cell.strip() for cell in row):
                    continue  # a blank line is not a row
                summary.rows += 1
                parsed = parse_row(row, columns) if row is not None else None
                if row is None or parsed is None:
                    _skip(summary, line)
                    continue
                postcode, values = parsed
                if is_terminated(row, columns):
                    summary.terminated += 1
                batch[postcode] = values
                if len(batch) >= batch_size:
                    _write_batch(batch, summary)
                    batch = {}
            if batch:
                _write_batch(batch, summary)
    except OSError as exc:
        raise ImportFailed(
            _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": exc.strerror or exc}
        ) from None
    audit.record(
        "postcodes.imported",
        actor=actor,
        source=str(path)[:300],
        rows=summary.rows,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        skipped=summary.skipped,
        terminated=summary.terminated,
    )
    return summary


def _decoded_lines(handle: IO[bytes], bar: Any) -> Iterator[str]:
    """Lines of text, moving the progress bar by the bytes read.

    Read as bytes (a text file cannot tell its position while iterated) and
    decoded line by line: a newline byte never falls inside a UTF-8 character.
    """
    first = True
    for raw in handle:
        bar.update(len(raw))
        text = raw.decode("utf-8", errors="replace")
        if first:
            text = text.lstrip("\ufeff")
            first = False
        yield text


def _rows(reader: Any) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, row) pairs; a line the csv module cannot read gives None."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # e.g. a field longer than the csv module allows
            yield reader.line_num, None
            continue
        yield reader.line_num, row


def _skip(summary: PostcodeImportSummary, line: int) -> None:
    summary.skipped += 1
    if len(summary.skipped_lines) < SHOWN_SKIPPED_LINES:
        summary.skipped_lines.append(line)


def _write_batch(batch: dict[str, dict[str, str]], summary: PostcodeImportSummary) -> None:
    """Write new and changed postcodes of one batch in one transaction; count what happened."""
    field_names = list(FIELDS.values())
    with transaction.atomic():
        existing: dict[str, tuple[str, ...]] = {}
        keys = list(batch)
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            for postcode, *codes in Postcode.objects.filter(
                postcode__in=keys[start : start + _LOOKUP_CHUNK]
            ).values_list("postcode", *field_names):
                existing[postcode] = tuple(codes)

        to_write = []
        for postcode, values in batch.items():
            old = existing.get(postcode)
            if old is None:
                summary.created += 1
            elif old != tuple(values[name] for name in field_names):
                summary.updated += 1
            else:
                summary.unchanged += 1
                continue
            to_write.append(Postcode(postcode=postcode, **values))
        if to_write:
            Postcode.objects.bulk_create(
                to_write,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=field_names,
            )
