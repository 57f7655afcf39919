"""Verbs: loading a council's ward population figures.

A council's figures come as one census-style CSV, one row per ward × age band × sex (the
columns are described in ``docs/representativeness.md``). :func:`import_population` reads
and checks the whole file first and writes nothing unless every row is good.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from moothall.core.audit import record
from moothall.core.validation import line as one_line
from moothall.councils.models import Council, Ward
from moothall.population.bands import AgeBand, Sex
from moothall.population.models import WardPopulation
from moothall.population.rules import Step, refusal

MAX_BYTES = 5_000_000  # a whole county is ~3,000 rows, some 150 kB
MAX_ROWS = 50_000
MAX_COUNT = 10_000_000  # more residents than any ward in the land has
MAX_PROBLEMS = 50  # listed one by one; beyond this, "and N more"

# Column headings, compared in lower case with spaces and punctuation turned into "_".
COLUMNS: dict[str, frozenset[str]] = {
    "ward_code": frozenset({"ward_code", "code", "gss_code", "ward_gss_code", "wardcode"}),
    "ward_name": frozenset({"ward_name", "ward", "name", "wardname"}),
    "age_band": frozenset({"age_band", "age", "ageband", "age_group"}),
    "sex": frozenset({"sex"}),
    "count": frozenset({"count", "population", "residents", "observation", "value"}),
}


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What :func:`import_population` loaded."""

    rows: int  # cells written
    wards: int  # wards with figures in the file
    residents: int  # the file's total
    replaced: bool
    wards_without_figures: list[str] = field(default_factory=list)  # council's wards left out


def _heading(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower().lstrip("\ufeff")).strip("_")


def _plain(value: str) -> str:
    """A label compared loosely: lower case, one space, dashes as "-", no "aged"/"years"."""
    value = value.strip().lower().replace("\u2013", "-").replace("\u2014", "-")
    value = re.sub(r"\b(aged|age|years?|yrs)\b", " ", value)
    value = re.sub(r"\s*-\s*", "-", value)
    return re.sub(r"\s+", " ", value).strip()


def _band_names() -> dict[str, str]:
    names: dict[str, str] = {}
    with translation.override("en"):
        for band in AgeBand:
            names[_plain(band.value)] = band.value
            names[_plain(str(band.label))] = band.value
    for band in AgeBand:
        if band == AgeBand.UNDER_16:
            forms = ["0-15", "0 to 15", "0_15", "under 16", "under_16", "<16", "15 and under"]
        elif band == AgeBand.AGE_75_PLUS:
            forms = ["75+", "75 plus", "75 and over", "75 or over", "75 over", "75_plus"]
        else:
            low, high = band.value.split("_")
            forms = [f"{low}-{high}", f"{low} to {high}", f"{low}_{high}"]
        for form in forms:
            names[_plain(form)] = band.value
    return names


def _sex_names() -> dict[str, str]:
    names = {"f": Sex.FEMALE.value, "females": Sex.FEMALE.value}
    names |= {"m": Sex.MALE.value, "males": Sex.MALE.value}
    with translation.override("en"):
        for sex in Sex:
            names[sex.value] = sex.value
            names[str(sex.label).lower()] = sex.value
    return names


def parse_age_band(value: str) -> str | None:
    """An AgeBand value from a code ("16_24"), a label ("16 to 24") or "16-24"; None if none."""
    return _band_names().get(_plain(value))


def parse_sex(value: str) -> str | None:
    return _sex_names().get(value.strip().lower())


def _decoded(given: str | bytes | IO[Any]) -> str:
    source: str | bytes = given if isinstance(given, str | bytes) else given.read(MAX_BYTES + 1)
    if isinstance(source, str):
        if len(source.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ValidationError(_too_big(), code="too_big")
        return source.lstrip("\ufeff")
    if len(source) > MAX_BYTES:
        raise ValidationError(_too_big(), code="too_big")
    for encoding in ("utf-8-sig", "cp1252"):  # spreadsheets on Windows still save cp1252
        try:
            return source.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file is not text in UTF-8. Save it from your spreadsheet as “CSV UTF-8”."),
        code="not_text",
    )


def _too_big() -> str:
    return _("The file is over %(megabytes)d MB: too large for ward population figures.") % {
        "megabytes": MAX_BYTES // 1_000_000
    }


class _Wards:
    """A council's wards, found by GSS code, name or slug (case and spacing ignored)."""

    def __init__(self, wards: Iterable[Ward]) -> None:
        self.all = list(wards)
        self.by_code = {w.gss_code.strip().upper(): w for w in self.all if w.gss_code.strip()}
        self.by_name: dict[str, Ward] = {}
        for ward in self.all:
            self.by_name.setdefault(self._key(ward.slug), ward)
        for ward in self.all:  # names win over slugs
            self.by_name[self._key(ward.name)] = ward

    @staticmethod
    def _key(value: str) -> str:
        value = re.sub(r"[’'‘`]", "", re.sub(r"\band\b", "&", value.casefold()))
        return re.sub(r"[\s\-_.,&]+", " ", value).strip()

    def find(self, code: str, name: str) -> tuple[Ward | None, str | None]:
        """The ward meant, or None and why not."""
        by_code = self.by_code.get(code.strip().upper()) if code.strip() else None
        by_name = self.by_name.get(self._key(name)) if name.strip() else None
        if by_code is not None and by_name is not None and by_code != by_name:
            return None, _("the code “%(code)s” is %(ward)s, but the name says %(name)s.") % {
                "code": code.strip(),
                "ward": by_code.name,
                "name": by_name.name,
            }
        found = by_code or by_name
        if found is not None:
            return found, None
        if code.strip() and name.strip():
            why = _("no ward has the code “%(code)s” or the name “%(name)s”.")
        elif code.strip():
            why = _("no ward has the code “%(code)s”.")
        elif name.strip():
            why = _("no ward is called “%(name)s”.")
        else:
            return None, _("the ward is missing (give its code or its name).")
        return None, why % {"code": code.strip()[:20], "name": name.strip()[:80]}


@dataclass(slots=True)
class _Cell:
    ward: Ward
    age_band: str
    sex: str
    count: int


def read_population_csv(council: Council, source: str | bytes | IO[Any]) -> list[_Cell]:
    """Every cell of the file, checked against ``council``'s wards; ValidationError (a list of
    messages, each naming its line) when anything is wrong. Writes nothing."""
    text = _decoded(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or not any(h.strip() for h in header):
        raise ValidationError(_("The file is empty."), code="empty")
    headings = [_heading(h) for h in header]
    where: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for index, heading in enumerate(headings):
            if heading in names and column not in where:
                where[column] = index
    missing = [c for c in ("age_band", "sex", "count") if c not in where]
    problems: list[str] = []
    if "ward_code" not in where and "ward_name" not in where:
        problems.append(_("The file needs a column headed “ward_code” or “ward_name” (or both)."))
    for column in missing:
        problems.append(_("The file needs a column headed “%(column)s”.") % {"column": column})
    if problems:
        raise ValidationError(problems, code="columns")

    wards = _Wards(Ward.objects.filter(council=council))
    bands, sexes = _band_names(), _sex_names()
    cells: list[_Cell] = []
    first_seen: dict[tuple[int, str, str], int] = {}
    more = 0

    def problem(number: int, message: str) -> None:
        nonlocal more
        if len(problems) < MAX_PROBLEMS:
            problems.append(_("Line %(line)d: %(problem)s") % {"line": number, "problem": message})
        else:
            more += 1

    def get(row: list[str], column: str) -> str:
        index = where.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in _rows(reader):
        if row is None:
            problem(number, _("this line cannot be read as CSV."))
            continue
        if not any(value.strip() for value in row):
            continue  # a blank line
        if number - 1 > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(rows)d rows: too many for one council’s wards.")
                % {"rows": MAX_ROWS},
                code="too_many_rows",
            )
        ward, why = wards.find(get(row, "ward_code"), get(row, "ward_name"))
        if why:
            problem(number, why)
        raw_band, raw_sex, raw_count = get(row, "age_band"), get(row, "sex"), get(row, "count")
        band = bands.get(_plain(raw_band))
        if not raw_band:
            problem(number, _("the age band is missing."))
        elif band is None:
            problem(
                number,
                _("“%(value)s” is not an age band (use one like 16_24 or “16 to 24”).")
                % {"value": raw_band[:40]},
            )
        sex = sexes.get(raw_sex.lower())
        if not raw_sex:
            problem(number, _("the sex is missing."))
        elif sex is None:
            problem(
                number,
                _("“%(value)s” is not a sex (use female or male).") % {"value": raw_sex[:40]},
            )
        count = None
        if not raw_count:
            problem(number, _("the count is missing."))
        elif not re.fullmatch(r"[0-9]+", raw_count):
            problem(
                number,
                _("the count must be a whole number of 0 or more, not “%(value)s”.")
                % {"value": raw_count[:40]},
            )
        elif int(raw_count) > MAX_COUNT:
            problem(
                number,
                _("a count of %(value)s is more than any ward holds.") % {"value": raw_count[:40]},
            )
        else:
            count = int(raw_count)
        if ward is None or band is None or sex is None or count is None:
            continue
        key = (ward.pk, band, sex)
        if key in first_seen:
            problem(
                number,
                _("the figure for %(ward)s, %(band)s, %(sex)s was already given on line %(first)d.")
                % {
                    "ward": ward.name,
                    "band": AgeBand(band).label,
                    "sex": Sex(sex).label,
                    "first": first_seen[key],
                },
            )
            continue
        first_seen[key] = number
        cells.append(_Cell(ward, band, sex, count))
    if more:
        problems.append(
            ngettext("…and %(count)d more problem.", "…and %(count)d more problems.", more)
            % {"count": more}
        )
    if problems:
        raise ValidationError(problems, code="bad_rows")
    if not cells:
        raise ValidationError(_("The file has no figures in it."), code="no_rows")
    return cells


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, row) pairs from line 2; None for a row the csv module cannot read."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield getattr(reader, "line_num", 0), None
            continue
        yield getattr(reader, "line_num", 0), row


def import_population(
    council: Council,
    source: str | bytes | IO[Any],
    *,
    by: Any,
    replace: bool = True,
    source_name: str = "",
    year: int | None = None,
) -> ImportSummary:
    """Load ``council``'s ward population figures from a census-style CSV.

    ``source`` is the file's text, its bytes, or an open file. The whole file is checked
    first: any bad row (unknown ward, age band or sex, a count that is not a whole number
    of 0 or more, a cell given twice) refuses it with a ``ValidationError`` listing every
    problem by line, and nothing is written. With ``replace`` the council's earlier figures
    are removed first; without it, the file's cells are added or updated and others kept.

    Side effects: one transaction; an audit entry ``population.imported``. ``by`` is the
    person loading (``PermissionDenied`` unless they may manage consultations) or None for
    the system (the demo, the command).
    """
    if by is not None:
        why = refusal(by, council, Step.MANAGE)
        if why is not None:
            raise PermissionDenied(why)
    source_name = one_line(source_name, "source", required=False, limit=200)
    if year is not None and not 1801 <= year <= 2200:
        raise ValidationError({"year": _("Enter a year like 2021.")}, code="bad_year")
    cells = read_population_csv(council, source)
    with transaction.atomic():
        existing: dict[tuple[int, str, str], WardPopulation] = {}
        if replace:
            WardPopulation.objects.filter(council=council).delete()
        else:
            existing = {
                (row.ward_id, row.age_band, row.sex): row
                for row in WardPopulation.objects.select_for_update().filter(council=council)
            }
        new, changed = [], []
        for cell in cells:
            row = existing.get((cell.ward.pk, cell.age_band, cell.sex))
            if row is None:
                new.append(
                    WardPopulation(
                        council=council,
                        ward=cell.ward,
                        age_band=cell.age_band,
                        sex=cell.sex,
                        count=cell.count,
                        source=source_name,
                        year=year,
                    )
                )
            else:
                row.count, row.source, row.year = cell.count, source_name, year
                changed.append(row)
        WardPopulation.objects.bulk_create(new, batch_size=1000)
        WardPopulation.objects.bulk_update(changed, ["count", "source", "year"], batch_size=1000)
        covered = {cell.ward.pk for cell in cells}
        with_figures = set(
            WardPopulation.objects.filter(council=council).values_list("ward_id", flat=True)
        )
        summary = ImportSummary(
            rows=len(cells),
            wards=len(covered),
            residents=sum(cell.count for cell in cells),
            replaced=replace,
            wards_without_figures=[
                ward.name
                for ward in Ward.objects.filter(council=council).order_by("name")
                if ward.pk not in with_figures
            ],
        )
        record(
            "population.imported",
            actor=by,
            council=council,
            rows=summary.rows,
            wards=summary.wards,
            residents=summary.residents,
            replaced=replace,
            source=source_name,
            year=year,
        )
    return summary
