"""Pabulib (pabulib.org) import and export: a finished process in, any published one out.

:func:`import_pabulib` turns a parsed ``.pb`` file (:mod:`moothall.budgeting.engine`'s
``PbFile``) into a finished process of a council: one council-wide budget, the projects on
its ballot, every ballot with its choices, and the results computed with the file's own
rule and published, as if the council had run it here. :func:`export_pabulib` writes one
budget of a process back as a ``PbFile`` (``engine.write_pb``/``save_pb`` make the text).

What is kept so an export gives back what was imported:

- the file's META, as ``BudgetProcess.imported_meta`` (key → text, in the file's order);
- the projects' other columns (category, district, beneficiaries ... and the exact text of
  a name too long for a title or of coordinates finer than the database holds), under the
  one reserved key :data:`KEPT` of ``imported_meta``, with the column order of both
  sections;
- each vote's other columns (age, sex, voting_method ...) as ``Ballot.extra``, and its
  voter id as ``Ballot.reference``.

Exports never hold personal data: a ballot is named by its paper reference, its imported
voter id, or its number; the voter's account is never written.

The app holds money in whole pounds (the council's currency units), so a file whose budget
or costs are not whole numbers is refused with a clear message; so are points that are not
whole numbers, and negative scores.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.budgeting import domain
from moothall.budgeting.engine import PbFile, PbProject, PbVote
from moothall.budgeting.models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    Ballot,
    BallotChoice,
    BallotKind,
    Budget,
    BudgetProcess,
    Phase,
    ProcessEvent,
    Project,
    Rule,
)
from moothall.budgeting.rules import Step
from moothall.core.audit import record
from moothall.councils.models import Council

# imported_meta's one key that is not META: what the export needs to write the file back.
KEPT = "_pabulib"
# The project columns the database holds itself (the others are kept as they were).
# (cost is kept as written, say "4000.0", and written back while the database agrees.)
DERIVED_PROJECT_COLUMNS = ("project_id", "votes", "score", "selected")
VOTE_COLUMNS_HELD = ("voter_id", "vote", "points")
VOTE_KINDS = {
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.CUMULATIVE,
    "ordinal": BallotKind.RANKING,
}
PABULIB_VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKING: "ordinal",
}
SMALL_INT = 32_767  # the largest PositiveSmallIntegerField value on every database
ID_LIMIT = 64  # Project.external_id and Ballot.reference
BATCH = 5_000
PUBLISHED = (Phase.RESULTS, Phase.DELIVERY, Phase.CLOSED)


class InterchangeError(ValueError):
    """A file the app cannot hold, or a process that cannot be exported. ``str()`` is one
    line, for people."""


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Import --------------------------------------------------------------------------------


def _whole(value: Decimal, what: str) -> int:
    if value != value.to_integral_value():
        raise InterchangeError(
            _("%(what)s is %(value)s: Moothall holds whole amounts only.")
            % {"what": what, "value": format(value, "f")}
        )
    number = int(value)
    if not 0 < number <= domain.MAX_AMOUNT:
        raise InterchangeError(
            _("%(what)s is %(value)s: it must be more than 0 and at most %(limit)s.")
            % {"what": what, "value": number, "limit": domain.MAX_AMOUNT}
        )
    return number


def _meta_int(meta: dict[str, str], key: str) -> int | None:
    text = meta.get(key, "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InterchangeError(
            _("META %(key)s is not a number: %(value)s") % {"key": key, "value": text[:40]}
        ) from None
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise InterchangeError(
            _("META %(key)s is not a whole number: %(value)s") % {"key": key, "value": text[:40]}
        )
    return int(value)


def _small(value: int | None) -> int | None:
    """A limit the ballot settings can hold; a larger one is no limit at all."""
    return value if value is not None and value <= SMALL_INT else None


def _date(text: str | None, *, end: bool) -> dt.datetime | None:
    """Pabulib's dates (``03.10.2022``, or ISO ``2022-10-03``) as the start or the end of
    that day in the site's time zone; None when missing or unreadable."""
    text = (text or "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
        moment = dt.time(23, 59, 59) if end else dt.time(0, 0)
        return timezone.make_aware(dt.datetime.combine(day, moment))
    return None


def _coordinate(text: str | None, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or not bounds[0] <= value <= bounds[1]:
        return None
    return value.quantize(Decimal("0.000001"))


def _title_from(meta: dict[str, str]) -> str:
    unit = meta.get("unit", "").strip()
    subunit = meta.get("subunit", "").strip() or meta.get("district", "").strip()
    instance = meta.get("instance", "").strip()
    place = unit
    if subunit and subunit != unit:
        place = f"{unit}, {subunit}" if unit else subunit
    title = " ".join(part for part in (place, instance) if part)
    return title or meta.get("description", "").strip() or _("Imported participatory budget")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique_slug(council: Council, title: str) -> str:
    base = slugify(title)[:70] or "budget"
    taken = set(
        BudgetProcess.objects.filter(council=council, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _rule_of(pb: PbFile, kind: str) -> tuple[str, str]:
    """The rule to compute with, and a note when the file's own could not be used."""
    declared = pb.rule
    if declared is None:
        return Rule.GREEDY, ""
    if declared not in Rule.values:
        return Rule.GREEDY, _(
            "the file's rule %(rule)s is not one Moothall computes: greedy used"
        ) % {"rule": declared}
    if declared in domain.EQUAL_SHARES_RULES and kind == BallotKind.RANKING:
        return Rule.GREEDY, _("Equal Shares needs approval or points ballots: greedy used")
    return declared, ""


def _choices_of(vote: PbVote, kind: str) -> list[tuple[str, int, int | None]]:
    """(project id, points, rank) for each project on the vote, in the file's order."""
    out: list[tuple[str, int, int | None]] = []
    for position, project_id in enumerate(vote.projects):
        points, rank = 1, None
        if kind == BallotKind.CUMULATIVE:
            assert vote.points is not None
            value = vote.points[position]
            if value != value.to_integral_value() or value < 0:
                raise InterchangeError(
                    _(
                        "Voter %(voter)s gives %(points)s points: Moothall holds whole, "
                        "non-negative points only."
                    )
                    % {"voter": vote.voter_id, "points": format(value, "f")}
                )
            points = int(value)
            if points == 0:
                continue  # no points is no choice
        elif kind == BallotKind.RANKING:
            rank = position + 1
        out.append((project_id, points, rank))
    return out


def _check(pb: PbFile) -> None:
    for project in pb.projects:
        if len(project.project_id) > ID_LIMIT:
            raise InterchangeError(
                _("Project id %(id)s is longer than %(limit)d characters.")
                % {"id": project.project_id[:40], "limit": ID_LIMIT}
            )
    for vote in pb.votes:
        if len(vote.voter_id) > ID_LIMIT:
            raise InterchangeError(
                _("Voter id %(id)s is longer than %(limit)d characters.")
                % {"id": vote.voter_id[:40], "limit": ID_LIMIT}
            )


def _insert_choices(rows: Iterable[tuple[int, int, int, int | None]]) -> None:
    """Write ballot choices (ballot id, project id, points, rank) in batches of plain
    INSERTs: tens of thousands of model instances would take most of an import's time."""
    meta = BallotChoice._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in ("ballot", "project", "points", "rank")]
    columns = ", ".join(quote(field.column) for field in fields if isinstance(field, Field))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608
    batch: list[tuple[int, int, int, int | None]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


@transaction.atomic
def import_pabulib(
    actor: Any, council: Council, pb: PbFile, *, title: str | None = None
) -> BudgetProcess:
    """A finished process of ``council`` holding the election in ``pb``: its projects,
    ballots and results (computed with the file's rule and published). Everything is
    checked before anything is written; InterchangeError says what the app cannot hold.
    Side effects: timeline, audit ("budgeting.imported")."""
    from moothall.accounts.rules import Action, can

    if actor is not None and not can(actor, Action.MANAGE_BUDGETS, council):
        raise domain.StepRefused(_("Only council staff can do this."), Step.EDIT)
    _check(pb)
    meta = dict(pb.meta)
    vote_type = pb.vote_type
    kind = VOTE_KINDS[vote_type]
    amount = _whole(pb.budget, _("The budget"))
    costs = {
        p.project_id: _whole(p.cost, _("The cost of project %s") % p.project_id)
        for p in pb.projects
    }
    choices = {vote.voter_id: _choices_of(vote, kind) for vote in pb.votes}
    rule, rule_note = _rule_of(pb, kind)
    min_projects = _meta_int(meta, "min_length")
    max_projects = _small(_meta_int(meta, "max_length"))
    if vote_type == "choose-1":
        max_projects = 1
    if min_projects is not None and (
        min_projects > SMALL_INT or (max_projects is not None and min_projects > max_projects)
    ):
        min_projects = None
    points = _small(_meta_int(meta, "max_sum_points"))
    if points is None and kind == BallotKind.CUMULATIVE:
        most = max((sum(p for _id, p, _r in c) for c in choices.values()), default=1)
        points = min(max(most, 1), SMALL_INT)
    max_points = _small(_meta_int(meta, "max_points"))
    if points is not None and max_points is not None and max_points > points:
        max_points = None
    opens = _date(meta.get("date_begin"), end=False)
    closes = _date(meta.get("date_end"), end=True)
    if opens and closes and closes <= opens:
        opens = closes = None
    currency = meta.get("currency", "").strip().upper()

    name = title.strip() if title and title.strip() else _title_from(meta)
    now = timezone.now()
    process = BudgetProcess.objects.create(
        council=council,
        title=_clip(name, 150),
        slug=_unique_slug(council, name),
        summary=_clip(meta.get("description", ""), 300),
        description=_(
            "Imported from a Pabulib file (pabulib.org): %(projects)d projects and %(votes)d votes."
        )
        % {"projects": len(pb.projects), "votes": len(pb.votes)},
        phase=Phase.RESULTS,
        currency=currency if len(currency) == 3 and currency.isalpha() else "GBP",
        ballot_kind=kind,
        knapsack=kind == BallotKind.APPROVAL and bool(meta.get("max_sum_cost", "").strip()),
        min_projects=min_projects if min_projects is not None else 1,
        max_projects=max_projects,
        points=points if points is not None else 10,
        max_points_per_project=max_points,
        rule=rule,
        vote_in_council_wide_too=True,
        voting_opens_at=opens,
        voting_closes_at=closes or now,
        created_by=_as_user(actor),
    )
    budget = Budget.objects.create(process=process, amount=amount)

    kept: dict[str, dict[str, str]] = {}
    rows = []
    for source in pb.projects:
        fields = source.fields
        name_text = fields.get("name", "").strip()
        lat = _coordinate(fields.get("latitude"), LATITUDE_RANGE)
        lon = _coordinate(fields.get("longitude"), LONGITUDE_RANGE)
        if lat is None or lon is None:
            lat = lon = None
        kept[source.project_id] = {
            column: value
            for column, value in fields.items()
            if column not in DERIVED_PROJECT_COLUMNS
        }
        rows.append(
            Project(
                process=process,
                budget=budget,
                title=_clip(name_text, domain.TITLE_LIMIT)
                or _("Project %(id)s") % {"id": source.project_id},
                description=fields.get("description", "").strip()[: domain.DESCRIPTION_LIMIT],
                cost=costs[source.project_id],
                latitude=lat,
                longitude=lon,
                location=_clip(fields.get("district", "") or fields.get("subunit", ""), 200),
                status=Project.Status.ACCEPTED,
                external_id=source.project_id,
            )
        )
    Project.objects.bulk_create(rows, batch_size=BATCH)
    project_ids = dict(Project.objects.filter(process=process).values_list("external_id", "id"))
    meta[KEPT] = {  # type: ignore[assignment]
        "project_columns": list(pb.project_columns),
        "vote_columns": list(pb.vote_columns),
        "projects": kept,
    }
    process.imported_meta = meta
    process.save(update_fields=["imported_meta"])

    Ballot.objects.bulk_create(
        (
            Ballot(
                budget=budget,
                reference=vote.voter_id,
                is_paper=vote.fields.get("voting_method", "").strip().lower() == "paper",
                extra={k: v for k, v in vote.fields.items() if k not in VOTE_COLUMNS_HELD},
                created_at=now,
                updated_at=now,
            )
            for vote in pb.votes
        ),
        batch_size=BATCH,
    )
    ballot_ids = dict(Ballot.objects.filter(budget=budget).values_list("reference", "id"))
    _insert_choices(
        (ballot_ids[vote.voter_id], project_ids[project_id], points_given, rank)
        for vote in pb.votes
        for project_id, points_given, rank in choices[vote.voter_id]
    )

    domain.publish_results(process)
    process.results_published_at = now
    process.save(update_fields=["results_published_at"])
    ProcessEvent.objects.create(
        process=process,
        kind="imported",
        summary=_("Imported from a Pabulib file, with its results."),
        actor=_as_user(actor),
    )
    record(
        "budgeting.imported",
        actor=actor,
        council=council,
        target=process,
        projects=len(pb.projects),
        votes=len(pb.votes),
        rule=rule,
        note=rule_note,
    )
    return process


# --- Export --------------------------------------------------------------------------------


def _number_text(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _cost_text(kept: str | None, held: int) -> str:
    try:
        same = kept is not None and Decimal(kept.strip()) == held
    except InvalidOperation:
        same = False
    return kept.strip() if same and kept is not None else str(held)


def _same_coordinate(kept: str | None, held: Decimal | None) -> bool:
    if kept is None or held is None:
        return False
    try:
        return Decimal(kept.strip()).quantize(Decimal("0.000001")) == held
    except InvalidOperation:
        return False


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y") if moment else ""


def budget_to_export(process: BudgetProcess, budget: Budget | int | None) -> Budget:
    """The budget to export: the one given (of this process), or the only one."""
    budgets = list(process.budgets.select_related("ward").order_by("id"))
    if budget is None:
        if len(budgets) == 1:
            return budgets[0]
        if not budgets:
            raise InterchangeError(_("This process has no budget."))
        listed = ", ".join(f"{b.pk} ({b})" for b in budgets)
        raise InterchangeError(
            _("This process has several budgets; choose one with --budget: %(budgets)s")
            % {"budgets": listed}
        )
    wanted = budget.pk if isinstance(budget, Budget) else budget
    for candidate in budgets:
        if candidate.pk == wanted:
            return candidate
    raise InterchangeError(
        _("Budget %(budget)s is not one of this process's budgets.") % {"budget": wanted}
    )


def _export_ids(projects: list[Project]) -> dict[int, str]:
    """Each project's id in the file: the imported one, else its number (always unique,
    never holding a separator)."""
    ids: dict[int, str] = {}
    used: set[str] = set()
    for project in projects:
        candidate = project.external_id.strip()
        if candidate and not set(candidate) & {",", ";", '"'} and candidate not in used:
            ids[project.pk] = candidate
            used.add(candidate)
    for project in projects:
        if project.pk in ids:
            continue
        candidate = str(project.pk)
        if candidate in used:
            candidate = f"project-{project.pk}"
        ids[project.pk] = candidate
        used.add(candidate)
    return ids


def _voter_ids(ballots: list[Ballot]) -> dict[int, str]:
    references = {b.reference for b in ballots if b.reference}
    out = {}
    for ballot in ballots:
        if ballot.reference:
            out[ballot.pk] = ballot.reference
        else:
            number = str(ballot.pk)
            out[ballot.pk] = number if number not in references else f"ballot-{number}"
    return out


def _ballots(budget: Budget) -> QuerySet[Ballot]:
    return Ballot.objects.filter(budget=budget).order_by("id")


def export_pabulib(process: BudgetProcess, budget: Budget | int | None = None) -> PbFile:
    """One budget of a process whose results are published, as a Pabulib file: META (the
    imported META, brought up to date), the projects on its ballot with their votes and
    whether they were selected, and every ballot (by reference or number, never by who
    cast it)."""
    if process.phase not in PUBLISHED:
        raise InterchangeError(
            _("The results of %(process)s are not published yet: nothing to export.")
            % {"process": process.title}
        )
    chosen = budget_to_export(process, budget)
    imported = {k: v for k, v in (process.imported_meta or {}).items() if k != KEPT}
    kept_all = (process.imported_meta or {}).get(KEPT) or {}
    kept_projects: dict[str, dict[str, str]] = kept_all.get("projects") or {}
    kind = BallotKind(process.ballot_kind)
    points_ballot = kind == BallotKind.CUMULATIVE

    projects = list(Project.objects.filter(budget=chosen).on_ballot().order_by("id"))
    ids = _export_ids(projects)
    ballots = list(_ballots(chosen))
    voter_ids = _voter_ids(ballots)
    by_ballot: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        BallotChoice.objects.filter(ballot__budget=chosen)
        .order_by("ballot_id", "rank", "id")
        .values_list("ballot_id", "project_id", "points")
    )
    for ballot_id, project_id, points in rows.iterator(chunk_size=BATCH):
        if project_id in ids:
            by_ballot[ballot_id].append((project_id, points))
    votes_for: Counter[int] = Counter()
    score_for: Counter[int] = Counter()
    for choices in by_ballot.values():
        for project_id, points in choices:
            votes_for[project_id] += 1
            score_for[project_id] += points

    # PROJECTS
    columns = list(kept_all.get("project_columns") or [])
    if not columns:
        columns = ["project_id", "cost", "votes", "name", "selected"]
        if points_ballot:
            columns.insert(3, "score")
        if any(p.has_point for p in projects):
            columns += ["latitude", "longitude"]
    for needed in ("project_id", "cost", "votes", "name", "selected"):
        if needed not in columns:
            columns.append(needed)
    if points_ballot and "score" not in columns:
        columns.insert(columns.index("votes") + 1, "score")
    pb_projects = []
    for project in projects:
        pid = ids[project.pk]
        kept = kept_projects.get(project.external_id, {}) if project.external_id else {}
        fields = {column: kept.get(column, "") for column in columns}
        name = kept.get("name", "")
        if _clip(name, 200) != project.title:
            name = project.title
        fields.update(
            {
                "project_id": pid,
                "cost": _cost_text(kept.get("cost"), project.cost or 0),
                "votes": str(votes_for[project.pk]),
                "name": name,
                "selected": "1" if project.is_selected else "0",
            }
        )
        if "score" in columns:
            fields["score"] = str(score_for[project.pk])
        for column, value in (("latitude", project.latitude), ("longitude", project.longitude)):
            if column not in columns:
                continue
            if not _same_coordinate(kept.get(column), value):
                fields[column] = "" if value is None else _number_text(value)
        pb_projects.append(PbProject(pid, Decimal(project.cost or 0), fields))

    # VOTES
    vote_columns = list(kept_all.get("vote_columns") or [])
    if not vote_columns:
        vote_columns = ["voter_id", "vote"]
        if points_ballot:
            vote_columns.append("points")
        vote_columns.append("voting_method")
    for needed in ("voter_id", "vote"):
        if needed not in vote_columns:
            vote_columns.insert(0 if needed == "voter_id" else 1, needed)
    if points_ballot and "points" not in vote_columns:
        vote_columns.insert(vote_columns.index("vote") + 1, "points")
    pb_votes = []
    for ballot in ballots:
        chosen_projects = by_ballot.get(ballot.pk, [])
        listed = [ids[project_id] for project_id, _points in chosen_projects]
        points_list = (
            [Decimal(points) for _pid, points in chosen_projects] if points_ballot else None
        )
        extra = ballot.extra if isinstance(ballot.extra, dict) else {}
        fields = {column: str(extra.get(column, "")) for column in vote_columns}
        if "voting_method" in vote_columns and not extra.get("voting_method"):
            fields["voting_method"] = "paper" if ballot.is_paper else "internet"
        fields["voter_id"] = voter_ids[ballot.pk]
        fields["vote"] = ",".join(listed)
        if points_list is not None:
            fields["points"] = ",".join(_number_text(p) for p in points_list)
        pb_votes.append(PbVote(voter_ids[ballot.pk], listed, points_list, fields))

    # META
    council = process.council
    if imported:
        meta = dict(imported)
    else:
        closes = process.voting_closes_at or process.results_published_at
        meta = {
            "description": f"{process.title} ({council.name})",
            "country": "UK",
            "unit": council.name,
        }
        if chosen.ward_id is not None or chosen.name:
            meta["subunit"] = str(chosen)
        meta.update(
            {
                "instance": str(timezone.localtime(closes).year if closes else ""),
                "language": "en",
                "currency": process.currency or "GBP",
                "date_begin": _day(process.voting_opens_at),
                "date_end": _day(closes),
            }
        )
        meta = {k: v for k, v in meta.items() if v}
        if kind == BallotKind.APPROVAL:
            meta["min_length"] = str(process.min_projects)
            if process.max_projects is not None:
                meta["max_length"] = str(process.max_projects)
            if process.knapsack:
                meta["max_sum_cost"] = str(chosen.amount)
        if points_ballot:
            meta["max_sum_points"] = str(process.points)
            if process.max_points_per_project is not None:
                meta["max_points"] = str(process.max_points_per_project)
    meta["num_projects"] = str(len(pb_projects))
    meta["num_votes"] = str(len(pb_votes))
    meta["budget"] = str(chosen.amount)
    declared = imported.get("vote_type", "").strip().lower()
    if VOTE_KINDS.get(declared) != kind:
        meta["vote_type"] = PABULIB_VOTE_TYPES[kind]
    elif "vote_type" not in meta:
        meta["vote_type"] = declared
    meta["rule"] = process.rule
    return PbFile(meta, columns, pb_projects, vote_columns, pb_votes)
