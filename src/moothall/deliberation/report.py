"""A conversation's report: what the opinion map found, put together for people.

:func:`report_for` assembles a :class:`Report` from the stored analysis
(:class:`~moothall.deliberation.models.Analysis` ``data``, in the conversation's mode) and
the database:

- the map: one point per participant who voted, with their opinion group;
- the opinion groups with their sizes, centres and representative statements (text, and
  the share of the group, and of everyone else, agreeing, disagreeing and passing);
- the statements most people agree (or disagree) with across the groups (consensus);
- every shown statement ranked by group-informed consensus, with its votes now, its
  votes per group at the time of the analysis, and its agree share weighted to the
  population beside the raw one (:func:`moothall.population.representation.weights` on
  participants' ward, age band and sex; None when fewer than 10 weighted people voted);
- participation over time (votes and new participants per day, week or month);
- who took part against who lives there (:func:`~moothall.population.representation.participation`,
  where every group under 10 people is suppressed).

Only statements shown to participants (accepted) appear: the text and the counts of a
statement waiting for moderation or removed never reach a report. Opinion groups are
shown with their sizes whatever their size (they are groups of opinion, not of people's
characteristics); the demographic tables are the ones under suppression.

Reports are cached until the analysis is recomputed or a new one is asked for (a vote or
a moderation does that), so a busy conversation costs its queries once per update.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone, translation

from moothall.deliberation import representation
from moothall.deliberation.map_svg import MapGroup, MapPoint, Period, group_label, group_style
from moothall.deliberation.models import Analysis, Conversation, Participant, Statement, Vote
from moothall.population.representation import (
    Participation,
    participation,
    profiles_from,
    weighted_share,
    weighting,
)

S = Statement.State
# Representative statements shown per group (Polis shows a handful too).
REPRESENTATIVE_PER_GROUP = 5
CACHE_SECONDS = 600
# Participation over time: by day up to this many days, then by week, then by month.
DAILY_UP_TO = 92
WEEKLY_UP_TO = 731


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes on one statement (by everyone, or by one group)."""

    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed

    def _percent(self, count: int) -> int | None:
        return round(100 * count / self.total) if self.total else None

    @property
    def agree_share(self) -> float | None:
        return self.agree / self.total if self.total else None

    @property
    def agree_percent(self) -> int | None:
        return self._percent(self.agree)

    @property
    def disagree_percent(self) -> int | None:
        return self._percent(self.disagree)

    @property
    def pass_percent(self) -> int | None:
        return self._percent(self.passed)

    def minus(self, other: Tally) -> Tally:
        return Tally(
            max(self.agree - other.agree, 0),
            max(self.disagree - other.disagree, 0),
            max(self.passed - other.passed, 0),
        )

    @classmethod
    def of(cls, counts: Any) -> Tally:
        if not isinstance(counts, dict):
            return cls()
        return cls(
            int(counts.get("agree", 0)), int(counts.get("disagree", 0)), int(counts.get("pass", 0))
        )


@dataclass(frozen=True, slots=True)
class RepresentativeStatement:
    number: int
    text: str
    direction: str  # "agree" or "disagree"
    group: Tally  # the group's votes on it
    others: Tally  # everyone else's
    repness: float
    p_success: float

    @property
    def group_percent(self) -> int | None:
        """The share of the group voting the way that sets it apart."""
        return (
            self.group.agree_percent if self.direction == "agree" else self.group.disagree_percent
        )

    @property
    def others_percent(self) -> int | None:
        return (
            self.others.agree_percent if self.direction == "agree" else self.others.disagree_percent
        )


@dataclass(frozen=True, slots=True)
class GroupSummary:
    index: int
    size: int
    share: float  # of participants on the map
    centroid: tuple[float, float]
    representative: list[RepresentativeStatement]

    @property
    def label(self) -> str:
        return group_label(self.index)

    @property
    def colour(self) -> str:
        return group_style(self.index).colour

    @property
    def marks(self) -> str:
        return str(group_style(self.index).name)

    @property
    def percent(self) -> int:
        return round(100 * self.share)


@dataclass(frozen=True, slots=True)
class ConsensusStatement:
    number: int
    text: str
    direction: str
    tally: Tally
    p_success: float

    @property
    def percent(self) -> int | None:
        return (
            self.tally.agree_percent if self.direction == "agree" else self.tally.disagree_percent
        )


@dataclass(frozen=True, slots=True)
class StatementRow:
    number: int
    text: str
    is_seed: bool
    is_meta: bool
    tally: Tally  # votes now
    groups: dict[int, Tally]  # per group, at the time of the analysis
    gic: float | None
    consensus: str  # "agree", "disagree" or ""
    representative_of: tuple[tuple[int, str], ...]  # (group index, direction)
    weighted_agree: float | None

    @property
    def weighted_agree_percent(self) -> int | None:
        return None if self.weighted_agree is None else round(100 * self.weighted_agree)

    @property
    def gic_text(self) -> str:
        return "" if self.gic is None else f"{self.gic:.2f}"

    @property
    def representative_labels(self) -> list[tuple[str, str]]:
        return [(group_label(index), direction) for index, direction in self.representative_of]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How up to date the analysis is."""

    computed_at: dt.datetime
    mode: str
    votes_counted: int
    participants_counted: int
    statements_counted: int
    new_votes: int  # votes cast or changed since it began
    requested_at: dt.datetime | None

    @property
    def pending(self) -> bool:
        """A newer analysis has been asked for (it is on its way)."""
        return self.requested_at is not None and self.requested_at > self.computed_at


@dataclass
class Report:
    conversation_id: int
    freshness: Freshness | None
    participants: int  # who voted, now
    votes: int  # on shown statements, now
    points: list[MapPoint]
    groups: list[GroupSummary]
    ungrouped: int
    consensus_agree: list[ConsensusStatement]
    consensus_disagree: list[ConsensusStatement]
    statements: list[StatementRow]  # by group-informed consensus, highest first
    unit: str  # "day", "week" or "month"
    periods: list[Period]
    weighting_method: str  # "none", "raking" or "post-stratification"
    weighted_people: int
    representation: Participation
    # The analysis as stored, reduced to shown statements (for report.json).
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def has_analysis(self) -> bool:
        return self.freshness is not None

    @property
    def weighted(self) -> bool:
        return any(row.weighted_agree is not None for row in self.statements)

    @property
    def map_groups(self) -> list[MapGroup]:
        return [MapGroup(g.index, g.size, g.centroid) for g in self.groups]

    @property
    def group_indexes(self) -> list[int]:
        return [g.index for g in self.groups]

    @property
    def on_map(self) -> int:
        return len(self.points)


# --- Assembly ------------------------------------------------------------------------


def analysis_for(conversation: Conversation) -> Analysis | None:
    """The stored analysis in the conversation's mode, if any."""
    return Analysis.objects.filter(conversation=conversation, mode=conversation.mode).first()


def _cache_key(conversation: Conversation, analysis: Analysis | None) -> str:
    computed = analysis.computed_at.timestamp() if analysis else 0
    requested = (
        conversation.analysis_requested_at.timestamp() if conversation.analysis_requested_at else 0
    )
    language = translation.get_language() or ""
    # created_at too: a row id can come back (a test database, a restored backup).
    return (
        f"deliberation-report:{conversation.pk}:{conversation.created_at.timestamp()}:"
        f"{conversation.mode}:{computed}:{requested}:{language}"
    )


def report_for(conversation: Conversation, *, fresh: bool = False) -> Report:
    """The conversation's report, from the cache when nothing changed since it was made."""
    analysis = analysis_for(conversation)
    key = _cache_key(conversation, analysis)
    if not fresh:
        found = cache.get(key)
        if isinstance(found, Report):
            return found
    report = assemble(conversation, analysis)
    cache.set(key, report, CACHE_SECONDS)
    return report


def _shown_statements(conversation: Conversation) -> dict[int, tuple[int, str, bool, bool]]:
    """number → (id, text, is_seed, is_meta) of every accepted statement."""
    return {
        number: (pk, text, is_seed, is_meta)
        for pk, number, text, is_seed, is_meta in Statement.objects.filter(
            conversation=conversation, state=S.ACCEPTED
        )
        .order_by("number")
        .values_list("id", "number", "text", "is_seed", "is_meta")
    }


def _live_tallies(conversation: Conversation) -> dict[int, Tally]:
    """statement id → its votes now (accepted statements only)."""
    rows = (
        Vote.objects.filter(conversation=conversation, statement__state=S.ACCEPTED)
        .values("statement_id")
        .annotate(
            agree=Count("id", filter=Q(value=Vote.AGREE)),
            disagree=Count("id", filter=Q(value=Vote.DISAGREE)),
            passed=Count("id", filter=Q(value=Vote.PASS)),
        )
    )
    return {r["statement_id"]: Tally(r["agree"], r["disagree"], r["passed"]) for r in rows}


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _reduce(data: dict[str, Any], shown: set[int]) -> dict[str, Any]:
    """The analysis without anything about statements not shown, nor the routing priority."""
    keep = {str(n) for n in shown}
    consensus = data.get("consensus") or {}
    return {
        "mode": data.get("mode"),
        "n_participants": data.get("n_participants"),
        "n_statements": data.get("n_statements"),
        "n_votes": data.get("n_votes"),
        "participants": data.get("participants") or {},
        "groups": [
            {
                **group,
                "repness": [
                    r for r in group.get("repness") or [] if str(r.get("statement")) in keep
                ],
            }
            for group in data.get("groups") or []
            if isinstance(group, dict)
        ],
        "consensus": {
            side: [c for c in consensus.get(side) or [] if str(c.get("statement")) in keep]
            for side in ("agree", "disagree")
        },
        "group_informed_consensus": {
            k: v for k, v in (data.get("group_informed_consensus") or {}).items() if k in keep
        },
        "statements": {k: v for k, v in (data.get("statements") or {}).items() if k in keep},
    }


def assemble(conversation: Conversation, analysis: Analysis | None = None) -> Report:
    """Build the report now (no cache). Queries: about eight, whatever the size."""
    shown = _shown_statements(conversation)
    by_id = {pk: number for number, (pk, *_rest) in shown.items()}
    live = {by_id[pk]: tally for pk, tally in _live_tallies(conversation).items() if pk in by_id}
    votes_now = sum(tally.total for tally in live.values())
    data = _reduce(
        analysis.data if analysis and isinstance(analysis.data, dict) else {}, set(shown)
    )

    # The map and the groups.
    points: list[MapPoint] = []
    members: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for entry in data["participants"].values():
        if not isinstance(entry, dict):
            continue
        x, y = _float(entry.get("x")), _float(entry.get("y"))
        if x is None or y is None:
            continue
        group = entry.get("group")
        group = int(group) if isinstance(group, int) else None
        points.append(MapPoint(x, y, group))
        if group is not None:
            members[group].append((x, y))
    counts = data["statements"]

    def text_of(number: int) -> str:
        return shown[number][1]

    groups: list[GroupSummary] = []
    representative_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for group in data["groups"]:
        index = int(group.get("index", len(groups)))
        placed = members.get(index, [])
        centroid = (
            (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
            if placed
            else (0.0, 0.0)
        )
        representative: list[RepresentativeStatement] = []
        for rep in group["repness"]:
            number = int(rep["statement"])
            direction = "disagree" if rep.get("direction") == "disagree" else "agree"
            representative_of[number].append((index, direction))
            if len(representative) >= REPRESENTATIVE_PER_GROUP:
                continue
            overall = Tally.of(counts.get(str(number)))
            mine = Tally.of((counts.get(str(number)) or {}).get("groups", {}).get(str(index)))
            representative.append(
                RepresentativeStatement(
                    number=number,
                    text=text_of(number),
                    direction=direction,
                    group=mine,
                    others=overall.minus(mine),
                    repness=_float(rep.get("repness")) or 0.0,
                    p_success=_float(rep.get("p_success")) or 0.0,
                )
            )
        size = int(group.get("size", len(placed)))
        groups.append(
            GroupSummary(
                index=index,
                size=size,
                share=size / len(points) if points else 0.0,
                centroid=centroid,
                representative=representative,
            )
        )
    ungrouped = sum(1 for p in points if p.group is None)

    consensus: dict[str, list[ConsensusStatement]] = {"agree": [], "disagree": []}
    consensus_of: dict[int, str] = {}
    for side in ("agree", "disagree"):
        for item in data["consensus"][side]:
            number = int(item["statement"])
            consensus_of.setdefault(number, side)
            consensus[side].append(
                ConsensusStatement(
                    number=number,
                    text=text_of(number),
                    direction=side,
                    tally=Tally.of(counts.get(str(number))),
                    p_success=_float(item.get("p_success")) or 0.0,
                )
            )

    # Weights to the population (participants who voted, with their ids so each weight
    # finds its votes), and who took part (the deliberation's own profiles: the same people).
    voter_rows = list(
        Participant.objects.filter(conversation=conversation)
        .filter(Exists(Vote.objects.filter(participant=OuterRef("pk"))))
        .order_by("number")
        .values_list("id", "ward_id", "age_band", "sex")
    )
    profiles = profiles_from((ward, age, sex) for _pk, ward, age, sex in voter_rows)
    council = conversation.council
    asked = any(p.ward_id is not None or p.age_band or p.sex for p in profiles)
    weights_by_participant: dict[int, float] = {}
    method = "none"
    if asked:
        made = weighting(council, profiles)
        method = made.method
        weights_by_participant = {
            row[0]: weight
            for row, weight in zip(voter_rows, made.weights, strict=True)
            if weight is not None
        }
    weighted = _weighted_shares(conversation, weights_by_participant, by_id)

    gic = data["group_informed_consensus"]
    rows = [
        StatementRow(
            number=number,
            text=text,
            is_seed=is_seed,
            is_meta=is_meta,
            tally=live.get(number, Tally()),
            groups={
                int(k): Tally.of(v)
                for k, v in ((counts.get(str(number)) or {}).get("groups") or {}).items()
            },
            gic=_float(gic.get(str(number))),
            consensus=consensus_of.get(number, ""),
            representative_of=tuple(representative_of.get(number, ())),
            weighted_agree=weighted.get(number),
        )
        for number, (_pk, text, is_seed, is_meta) in shown.items()
    ]
    rows.sort(key=lambda r: (r.gic is None, -(r.gic or 0.0), r.number))

    unit, periods = participation_over_time(conversation)
    freshness = None
    if analysis is not None:
        freshness = Freshness(
            computed_at=analysis.computed_at,
            mode=analysis.mode,
            votes_counted=analysis.votes_counted,
            participants_counted=analysis.participants_counted,
            statements_counted=analysis.statements_counted,
            new_votes=Vote.objects.filter(
                conversation=conversation, updated_at__gt=analysis.computed_at
            ).count(),
            requested_at=conversation.analysis_requested_at,
        )
    return Report(
        conversation_id=conversation.pk,
        freshness=freshness,
        participants=len(voter_rows),
        votes=votes_now,
        points=points,
        groups=groups,
        ungrouped=ungrouped,
        consensus_agree=consensus["agree"],
        consensus_disagree=consensus["disagree"],
        statements=rows,
        unit=unit,
        periods=periods,
        weighting_method=method,
        weighted_people=len(weights_by_participant),
        representation=participation(council, representation.profiles(conversation)),
        data=data,
    )


def _weighted_shares(
    conversation: Conversation, weights: dict[int, float], statement_numbers: dict[int, int]
) -> dict[int, float | None]:
    """statement number → its agree share weighted to the population (None: fewer than 10
    weighted voters). Empty when nobody can be weighted."""
    if not weights:
        return {}
    per_statement: dict[int, tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    votes = (
        Vote.objects.filter(conversation=conversation, statement__state=S.ACCEPTED)
        .values_list("participant_id", "statement_id", "value")
        .iterator(chunk_size=5000)
    )
    for participant_id, statement_id, value in votes:
        weight = weights.get(participant_id)
        if weight is None:
            continue
        held = per_statement[statement_id]
        held[0].append(weight)
        held[1].append(value == Vote.AGREE)
    out: dict[int, float | None] = {}
    for statement_id, (ws, flags) in per_statement.items():
        number = statement_numbers.get(statement_id)
        if number is not None:
            out[number] = weighted_share(ws, flags)
    return out


def _bucket(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(start: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return start + dt.timedelta(days=1)
    if unit == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def participation_over_time(conversation: Conversation) -> tuple[str, list[Period]]:
    """Votes cast and people who cast their first vote, per day (per week beyond
    ``DAILY_UP_TO`` days, per month beyond ``WEEKLY_UP_TO``), in the site's time zone,
    every period from the first vote to the last (quiet ones as zero)."""
    tz = timezone.get_current_timezone()
    per_day = dict(
        Vote.objects.filter(conversation=conversation)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    first_votes = (
        Vote.objects.filter(conversation=conversation)
        .values("participant_id")
        .annotate(first=Min("created_at"))
        .values_list("first", flat=True)
    )
    joined: dict[dt.date, int] = defaultdict(int)
    for first in first_votes:
        joined[timezone.localtime(first, tz).date()] += 1
    days = sorted(set(per_day) | set(joined))
    if not days:
        return "day", []
    span = (days[-1] - days[0]).days + 1
    unit = "day" if span <= DAILY_UP_TO else "week" if span <= WEEKLY_UP_TO else "month"
    votes: dict[dt.date, int] = defaultdict(int)
    new: dict[dt.date, int] = defaultdict(int)
    for day, n in per_day.items():
        votes[_bucket(day, unit)] += n
    for day, n in joined.items():
        new[_bucket(day, unit)] += n
    periods = []
    so_far = 0
    start, end = _bucket(days[0], unit), _bucket(days[-1], unit)
    while start <= end:
        so_far += new.get(start, 0)
        periods.append(Period(start, votes.get(start, 0), new.get(start, 0), so_far))
        start = _next(start, unit)
    return unit, periods


# --- CSV and JSON --------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_header(report: Report) -> list[str]:
    header = [
        "statement",
        "text",
        "is_seed",
        "is_meta",
        "agree",
        "disagree",
        "pass",
        "votes",
        "agree_share",
        "weighted_agree_share",
    ]
    for index in report.group_indexes:
        letter = group_label(index)
        header += [f"group_{letter}_agree", f"group_{letter}_disagree", f"group_{letter}_pass"]
    header += ["group_informed_consensus", "consensus", "representative_of"]
    return header


def csv_rows(report: Report) -> Iterator[list[Any]]:
    """One row per shown statement, by group-informed consensus (see :func:`csv_header`):
    votes now; per group, votes at the time of the analysis; consensus "agree"/"disagree";
    representative_of like "A:agree B:disagree"."""
    for row in report.statements:
        line: list[Any] = [
            row.number,
            row.text,
            "yes" if row.is_seed else "no",
            "yes" if row.is_meta else "no",
            row.tally.agree,
            row.tally.disagree,
            row.tally.passed,
            row.tally.total,
            _share(row.tally.agree_share),
            _share(row.weighted_agree),
        ]
        for index in report.group_indexes:
            tally = row.groups.get(index, Tally())
            line += [tally.agree, tally.disagree, tally.passed]
        line += [
            "" if row.gic is None else repr(row.gic),
            row.consensus,
            " ".join(f"{label}:{direction}" for label, direction in row.representative_labels),
        ]
        yield line


PARTICIPANT_HEADER = ["participant", "x", "y", "group", "votes"]


def participant_rows(report: Report) -> Iterator[list[Any]]:
    """The map as a table: each participant's (anonymous) number, place and group."""
    entries = report.data.get("participants") or {}
    for key in sorted(entries, key=lambda k: int(k) if str(k).isdigit() else 0):
        entry = entries[key]
        if not isinstance(entry, dict):
            continue
        group = entry.get("group")
        yield [
            key,
            _share(_float(entry.get("x"))),
            _share(_float(entry.get("y"))),
            group_label(group) if isinstance(group, int) else "",
            entry.get("n_votes", ""),
        ]


def as_json(report: Report, conversation: Conversation) -> dict[str, Any]:
    """report.json: the stored analysis (shown statements only) with the statements' text,
    the groups' letters, the weighted shares and participation over time."""
    texts = {row.number: row.text for row in report.statements}
    data = report.data
    freshness = report.freshness
    return {
        "conversation": {
            "council": conversation.council.slug,
            "slug": conversation.slug,
            "title": conversation.title,
            "status": conversation.status,
            "mode": conversation.mode,
        },
        "analysis": None
        if freshness is None
        else {
            "computed_at": freshness.computed_at.isoformat(),
            "mode": freshness.mode,
            "votes_counted": freshness.votes_counted,
            "participants_counted": freshness.participants_counted,
            "statements_counted": freshness.statements_counted,
        },
        "participants": report.participants,
        "votes": report.votes,
        "statements": [
            {
                "statement": row.number,
                "text": row.text,
                "is_seed": row.is_seed,
                "is_meta": row.is_meta,
                "agree": row.tally.agree,
                "disagree": row.tally.disagree,
                "pass": row.tally.passed,
                "weighted_agree_share": row.weighted_agree,
                "group_informed_consensus": row.gic,
                "consensus": row.consensus or None,
                "groups": {
                    group_label(index): {"agree": t.agree, "disagree": t.disagree, "pass": t.passed}
                    for index, t in sorted(row.groups.items())
                },
            }
            for row in sorted(report.statements, key=lambda r: r.number)
        ],
        "groups": [
            {
                "index": g.index,
                "label": g.label,
                "size": g.size,
                "centroid": list(g.centroid),
                "repness": [
                    {**r, "text": texts.get(int(r["statement"]), "")}
                    for r in next(
                        (
                            x.get("repness", [])
                            for x in data.get("groups", [])
                            if x.get("index") == g.index
                        ),
                        [],
                    )
                ],
            }
            for g in report.groups
        ],
        "consensus": {
            side: [
                {**c, "text": texts.get(int(c["statement"]), "")}
                for c in (data.get("consensus") or {}).get(side, [])
            ]
            for side in ("agree", "disagree")
        },
        "group_informed_consensus": data.get("group_informed_consensus") or {},
        "participant_map": data.get("participants") or {},
        "participation": {
            "unit": report.unit,
            "periods": [
                {
                    "start": p.start.isoformat(),
                    "votes": p.votes,
                    "new_participants": p.new_participants,
                    "participants_so_far": p.participants_so_far,
                }
                for p in report.periods
            ],
        },
        "weighting": {"method": report.weighting_method, "people": report.weighted_people},
    }


__all__: Sequence[str] = [
    "Report",
    "Tally",
    "analysis_for",
    "as_json",
    "assemble",
    "csv_header",
    "csv_rows",
    "participant_rows",
    "participation_over_time",
    "report_for",
]
