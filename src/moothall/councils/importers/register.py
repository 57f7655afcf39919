"""The UK council register: mySociety's ``uk_local_authorities.csv`` into :class:`Council` rows.

Only current authorities (``current-authority`` is ``True``) are imported. The
columns read are::

    local-authority-code, official-name, nice-name, gss-code, nation,
    local-authority-type, county-la, current-authority, pop-2020

Other columns are ignored. Rows are matched to existing councils by GSS code,
then by register code, so running the import again updates rather than
duplicates. What a council has set for itself (slug, brand colour, logo,
website) is never overwritten.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.core import audit
from moothall.councils.importers import ImportFailed
from moothall.councils.models import RESERVED_SLUGS, Council

REQUIRED_COLUMNS = (
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "nation",
    "local-authority-type",
    "county-la",
    "current-authority",
    "pop-2020",
)

# The register's authority types and the tier each one is here.
TIERS: dict[str, str] = {
    "CTY": Council.Tier.COUNTY,  # county council (upper tier)
    "NMD": Council.Tier.DISTRICT,  # non-metropolitan district (lower tier)
    "MD": Council.Tier.UNITARY,  # metropolitan district
    "UA": Council.Tier.UNITARY,  # unitary authority
    "LBO": Council.Tier.UNITARY,  # London borough
    "SCO": Council.Tier.UNITARY,  # Scottish council
    "WPA": Council.Tier.UNITARY,  # Welsh principal area
    "NID": Council.Tier.UNITARY,  # Northern Ireland district
    "CC": Council.Tier.UNITARY,  # City of London Corporation
    "COMB": Council.Tier.COMBINED,  # combined (county) authority
    "SRA": Council.Tier.COMBINED,  # strategic regional authority (Greater London)
}

NATIONS: dict[str, str] = {
    "england": Council.Nation.ENGLAND,
    "wales": Council.Nation.WALES,
    "scotland": Council.Nation.SCOTLAND,
    "northern ireland": Council.Nation.NORTHERN_IRELAND,
}

GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")
_BOOLEANS = {"true": True, "false": False}
_SLUG_MAX = Council._meta.get_field("slug").max_length or 80


@dataclass(frozen=True)
class RegisterRow:
    """One current authority as the register describes it, already checked."""

    line: int
    register_code: str
    name: str
    short_name: str
    gss_code: str | None
    nation: str
    tier: str
    county_code: str
    population: int | None


@dataclass
class CouncilImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def read_register(lines: Iterable[str]) -> list[RegisterRow]:
    """Parse and check the register; return its current authorities.

    Raises ImportFailed, naming the line, for the first problem found: a
    missing column, an unknown authority type or nation, a malformed code.
    """
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ImportFailed(
            _("The file is not a readable CSV file (%(error)s).") % {"error": exc}
        ) from None
    if not header:
        raise ImportFailed(_("The file is empty."))
    present = {name.strip() for name in header}
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing:
        raise ImportFailed(
            _("The file is missing these columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )

    rows: list[RegisterRow] = []
    seen_codes: dict[str, int] = {}
    seen_gss: dict[str, int] = {}
    try:
        for record in reader:
            values = {key.strip(): (value or "").strip() for key, value in record.items() if key}
            row = _parse_row(values, reader.line_num)
            if row is None:
                continue
            if row.register_code in seen_codes:
                raise _row_error(
                    row.line, _("the code %(code)s is used twice") % {"code": row.register_code}
                )
            seen_codes[row.register_code] = row.line
            if row.gss_code:
                if row.gss_code in seen_gss:
                    raise _row_error(
                        row.line, _("the GSS code %(code)s is used twice") % {"code": row.gss_code}
                    )
                seen_gss[row.gss_code] = row.line
            rows.append(row)
    except csv.Error as exc:
        raise ImportFailed(
            _("Line %(line)d is not readable CSV (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        ) from None

    codes = set(seen_codes)
    for row in rows:
        if row.county_code == row.register_code:
            raise _row_error(row.line, _("a council cannot be its own county"))
    # A county named by a district must be in the file or already in the database;
    # checked here so a bad file is refused before anything is written.
    unknown = {row.county_code for row in rows if row.county_code} - codes
    if unknown:
        known = set(
            Council.objects.filter(register_code__in=unknown).values_list(
                "register_code", flat=True
            )
        )
        for row in rows:
            if row.county_code in unknown - known:
                raise _row_error(
                    row.line,
                    _("county-la %(code)s is not a current authority") % {"code": row.county_code},
                )
    return rows


def _row_error(line: int, problem: str) -> ImportFailed:
    return ImportFailed(_("Line %(line)d: %(problem)s.") % {"line": line, "problem": problem})


def _parse_row(values: dict[str, str], line: int) -> RegisterRow | None:
    current = _BOOLEANS.get(values.get("current-authority", "").lower())
    if current is None:
        raise _row_error(line, _("current-authority must be True or False"))
    if not current:
        return None

    code = values["local-authority-code"].upper()
    max_code = Council._meta.get_field("register_code").max_length or 4
    if not code or len(code) > max_code:
        raise _row_error(
            line, _("local-authority-code must be 1 to %(max)d characters") % {"max": max_code}
        )
    name = values["official-name"]
    short_name = values["nice-name"] or name
    if not name or len(name) > 200 or len(short_name) > 120:
        raise _row_error(line, _("the official name or nice name is missing or too long"))

    gss_code = values["gss-code"].upper() or None
    if gss_code is not None and not GSS_CODE.match(gss_code):
        raise _row_error(line, _("“%(code)s” is not a GSS code") % {"code": gss_code})

    nation = NATIONS.get(values["nation"].lower())
    if nation is None:
        raise _row_error(line, _("unknown nation “%(nation)s”") % {"nation": values["nation"]})
    kind = values["local-authority-type"].upper()
    tier = TIERS.get(kind)
    if tier is None:
        raise _row_error(line, _("unknown local-authority-type “%(type)s”") % {"type": kind})

    population: int | None = None
    if values["pop-2020"]:
        try:
            population = int(float(values["pop-2020"]))
        except (ValueError, OverflowError):
            population = -1
        if population < 0 or population > 2_000_000_000:
            raise _row_error(line, _("pop-2020 must be a number of people"))

    return RegisterRow(
        line=line,
        register_code=code,
        name=name,
        short_name=short_name,
        gss_code=gss_code,
        nation=nation,
        tier=tier,
        county_code=values["county-la"].upper(),
        population=population,
    )


def import_councils(
    rows: list[RegisterRow], *, actor: Any = None, source: str = ""
) -> CouncilImportSummary:
    """Create or update a council for each register row, in one transaction.

    Side effects: creates and updates Council rows (never deletes one, never
    touches slug, colour, logo or website of an existing council), links
    districts to their county, and writes one ``councils.imported`` audit entry.
    """
    summary = CouncilImportSummary()
    with transaction.atomic():
        existing = list(Council.objects.select_for_update().order_by("pk"))
        by_gss = {c.gss_code: c for c in existing if c.gss_code}
        by_code: dict[str, Council] = {}
        for c in existing:
            if c.register_code:
                by_code.setdefault(c.register_code.upper(), c)
        taken_slugs = {c.slug for c in existing}
        claimed: set[int] = set()

        # First pass: every council exists with its own fields; parents need them all.
        status: dict[str, str] = {}
        councils: dict[str, Council] = {}
        for row in rows:
            council = (by_gss.get(row.gss_code) if row.gss_code else None) or by_code.get(
                row.register_code
            )
            if council is not None and council.pk in claimed:
                raise _row_error(
                    row.line,
                    _("it matches the same council as another row (%(council)s)")
                    % {"council": council.slug},
                )
            wanted = _register_values(row)
            if council is None:
                council = Council(slug=_unique_slug(row, taken_slugs), **wanted)
                council.save()
                taken_slugs.add(council.slug)
                status[row.register_code] = "created"
            else:
                if wanted["population"] is None:
                    del wanted["population"]  # a blank keeps what we knew
                changed = [
                    field for field, value in wanted.items() if getattr(council, field) != value
                ]
                for field in changed:
                    setattr(council, field, wanted[field])
                if changed:
                    council.save(update_fields=[*changed, "updated_at"])
                status[row.register_code] = "updated" if changed else "unchanged"
            claimed.add(council.pk)
            councils[row.register_code] = council

        # Second pass: a district's county, by the county's register code.
        for row in rows:
            council = councils[row.register_code]
            parent = (
                councils.get(row.county_code) or by_code.get(row.county_code)
                if row.county_code
                else None
            )
            parent_id = parent.pk if parent is not None else None
            if council.parent_id != parent_id:
                council.parent = parent
                council.save(update_fields=["parent", "updated_at"])
                if status[row.register_code] == "unchanged":
                    status[row.register_code] = "updated"

        for outcome in status.values():
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        audit.record(
            "councils.imported",
            actor=actor,
            source=source[:300],
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
    return summary


def import_register_file(path: str | Path, *, actor: Any = None) -> CouncilImportSummary:
    """Read the register CSV at ``path`` and import it (see :func:`import_councils`)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = read_register(handle)
            return import_councils(rows, actor=actor, source=str(path))
    except OSError as exc:
        raise ImportFailed(
            _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": exc.strerror or exc}
        ) from None
    except UnicodeDecodeError:
        raise ImportFailed(_("The file is not UTF-8 text.")) from None


def _register_values(row: RegisterRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "short_name": row.short_name,
        "tier": row.tier,
        "nation": row.nation,
        "gss_code": row.gss_code,
        "register_code": row.register_code,
        "population": row.population,
    }


def _unique_slug(row: RegisterRow, taken: set[str]) -> str:
    """A slug from the short name that no other council and no site path uses.

    Deterministic: the plain slug, else with the register code, else numbered.
    """
    suffix_room = len(row.register_code) + 1
    base = slugify(row.short_name) or slugify(row.name) or row.register_code.lower()
    base = base[: _SLUG_MAX - suffix_room].strip("-")
    candidates = [base, f"{base}-{row.register_code.lower()}"]
    candidates += [f"{base}-{n}" for n in range(2, 10_000)]
    for slug in candidates:
        if slug not in taken and slug not in RESERVED_SLUGS:
            return slug
    raise ImportFailed(_("No free slug for %(name)s.") % {"name": row.name})
