"""A survey's results: tallies per question from the submitted responses, raw and weighted.

Only submitted responses count (online and paper alike); saved-but-not-sent ones never do.
A question's figures are of the people who *answered* it: someone a condition skipped, or
who left an optional question empty, is not in its base.

Weighted figures stand beside the raw ones. Each respondent gets a weight from
:func:`moothall.population.representation.weights` (ward, age band and sex against the
council's population figures; None when nothing about them is known or no figures are
loaded), and a weighted share is shown only when at least
:data:`~moothall.population.bands.SUPPRESS_BELOW` weighted people are behind it.

What the public sees (:data:`PUBLIC`) and what staff see (:data:`STAFF`) differ on purpose:

- Written answers (short and long text) and postcodes are **staff only**. They are what
  people wrote in their own words, may name people or say who they are, and have not been
  moderated; the public page gives only how many people answered. Staff read them here
  (the latest :data:`TEXTS_SHOWN`, latest first) and all of them in the CSV download.
- On the public page a question answered by fewer than ``SUPPRESS_BELOW`` people shows no
  figures, so a small conditional question cannot single anyone out. Staff see them all.
- Groups defined by who people are or where they live (responses by ward, answers to a
  ward question, the equality-monitoring answers) are suppressed under ``SUPPRESS_BELOW``
  for everyone, with complementary suppression
  (:func:`moothall.population.representation.suppress`), so no hidden count can be worked
  out from the shown ones and the total.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _

from moothall.councils.models import Ward
from moothall.population import representation
from moothall.population.bands import (
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    SUPPRESS_BELOW,
    AgeBand,
    Disability,
    Ethnicity,
    Profile,
    Sex,
)
from moothall.surveys import charts, logic
from moothall.surveys.models import Answer, Kind, Question, Response, Survey

Audience = Literal["staff", "public"]
STAFF: Audience = "staff"
PUBLIC: Audience = "public"

TEXTS_SHOWN = 200  # written answers listed on the staff page (the CSV has every one)
TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT, Kind.POSTCODE})


# --- What one question's result holds -------------------------------------------------------


@dataclass(slots=True)
class OptionTally:
    key: str
    label: str
    count: int | None  # None: suppressed
    share: float | None  # of the people who answered the question
    weighted_share: float | None = None


@dataclass(slots=True)
class RankTally:
    key: str
    label: str
    points: int  # Borda: first of n scores n - 1 … last 0; not ranked 0
    mean_position: float | None  # 1 = first, among those who ranked it
    ranked_by: int
    weighted_points: float | None = None  # mean points per person, weighted


@dataclass(slots=True)
class RowTally:
    key: str
    label: str
    counts: list[int]  # one per scale point
    answered: int
    weighted_shares: list[float | None] = field(default_factory=list)

    @property
    def shares(self) -> list[float | None]:
        return [c / self.answered if self.answered else None for c in self.counts]


@dataclass(slots=True)
class NumberTally:
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    weighted_mean: float | None
    bins: list[charts.Bin]


@dataclass(slots=True)
class TextAnswer:
    response_id: int
    text: str


@dataclass(slots=True)
class QuestionResult:
    question: Question
    number: int  # 1, 2, … in survey order
    answered: int
    # Public page, fewer than SUPPRESS_BELOW answers: no figures at all.
    withheld: bool = False
    options: list[OptionTally] = field(default_factory=list)
    ranking: list[RankTally] = field(default_factory=list)
    scale: list[tuple[str, str]] = field(default_factory=list)  # likert (key, label)
    rows: list[RowTally] = field(default_factory=list)
    numbers: NumberTally | None = None
    texts: list[TextAnswer] = field(default_factory=list)  # staff only
    chart: charts.Chart | None = None

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def is_text(self) -> bool:
        return self.question.kind in TEXT_KINDS

    def to_json(self) -> dict[str, Any]:
        """The figures as plain data (for the API). Written answers are never included."""
        out: dict[str, Any] = {
            "question": self.question.pk,
            "number": self.number,
            "kind": self.question.kind,
            "text": self.question.text,
            "answered": self.answered,
            "withheld": self.withheld,
        }
        if self.withheld:
            return out
        if self.options:
            out["options"] = [
                {
                    "key": o.key,
                    "label": o.label,
                    "count": o.count,
                    "share": o.share,
                    "weighted_share": o.weighted_share,
                }
                for o in self.options
            ]
        if self.ranking:
            out["ranking"] = [
                {
                    "key": r.key,
                    "label": r.label,
                    "points": r.points,
                    "mean_position": r.mean_position,
                    "ranked_by": r.ranked_by,
                    "weighted_points": r.weighted_points,
                }
                for r in self.ranking
            ]
        if self.rows:
            out["scale"] = [{"key": k, "label": label} for k, label in self.scale]
            out["rows"] = [
                {
                    "key": r.key,
                    "label": r.label,
                    "answered": r.answered,
                    "counts": dict(zip([k for k, _l in self.scale], r.counts, strict=True)),
                    "weighted_shares": dict(
                        zip([k for k, _l in self.scale], r.weighted_shares, strict=True)
                    ),
                }
                for r in self.rows
            ]
        if self.numbers is not None:
            n = self.numbers
            out["numbers"] = {
                "count": n.count,
                "mean": n.mean,
                "median": n.median,
                "min": n.minimum,
                "max": n.maximum,
                "weighted_mean": n.weighted_mean,
                "bins": [{"low": b.low, "high": b.high, "count": b.count} for b in n.bins],
            }
        return out


@dataclass(slots=True)
class EqualityTable:
    name: str
    label: str
    rows: list[tuple[str, int | None]]  # (label, count or None when suppressed)


@dataclass(slots=True)
class SurveyResults:
    survey: Survey
    audience: Audience
    total: int  # submitted responses
    online: int
    paper: int
    questions: list[QuestionResult]
    ward_chart: charts.Chart | None
    participation: representation.Participation
    weighted: bool  # anyone could be weighted
    weighted_people: int
    equality: list[EqualityTable] = field(default_factory=list)  # staff only

    @property
    def suppress_below(self) -> int:
        return SUPPRESS_BELOW


# --- Reading the responses ---------------------------------------------------------------------


def labelled(items: Any) -> list[tuple[str, str]]:
    """Options or scale as (key, label) pairs, whatever shape the JSON holds."""
    out = []
    for i, item in enumerate(items or []):
        if isinstance(item, dict):
            key = str(item.get("key", i))
            out.append((key, str(item.get("label", key))))
        else:
            out.append((str(item), str(item)))
    return out


def to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


@dataclass(slots=True)
class _Loaded:
    response_ids: list[int]
    channels: list[str]
    ward_ids: list[int | None]
    profiles: list[Profile]
    equality: list[tuple[str, str, str, str]]
    answers: dict[int, list[tuple[int, Any]]]  # question id → [(respondent index, value)]


def _load(survey: Survey) -> _Loaded:
    submitted = Response.objects.filter(survey=survey, state=Response.State.SUBMITTED).order_by(
        "submitted_at", "id"
    )
    rows = list(
        submitted.values_list(
            "id", "channel", "ward_id", "age_band", "sex", "disability", "ethnicity"
        )
    )
    index = {row[0]: i for i, row in enumerate(rows)}
    answers: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    found = (
        Answer.objects.filter(response__survey=survey, response__state=Response.State.SUBMITTED)
        .order_by("response_id", "question_id")
        .values_list("response_id", "question_id", "value")
    )
    for response_id, question_id, value in found.iterator(chunk_size=2000):
        if response_id in index:
            answers[question_id].append((index[response_id], value))
    return _Loaded(
        response_ids=[row[0] for row in rows],
        channels=[row[1] for row in rows],
        ward_ids=[row[2] for row in rows],
        profiles=representation.profiles_from((row[2], row[3], row[4]) for row in rows),
        equality=[(row[3], row[4], row[5], row[6]) for row in rows],
        answers=answers,
    )


# --- Tallies ------------------------------------------------------------------------------------


def _weighted(
    weights: Sequence[float | None], answered: Sequence[tuple[int, bool]]
) -> float | None:
    """Weighted share among ``answered`` (respondent index, flag) pairs."""
    return representation.weighted_share(
        [weights[i] for i, _flag in answered], [flag for _i, flag in answered]
    )


def _weighted_mean(
    weights: Sequence[float | None], values: Sequence[tuple[int, float]]
) -> float | None:
    pairs = [(weights[i], v) for i, v in values if weights[i] is not None]
    total = sum(w for w, _v in pairs if w is not None)
    if len(pairs) < SUPPRESS_BELOW or total <= 0:
        return None
    return sum(w * v for w, v in pairs if w is not None) / total


def _choices(
    question: Question, given: list[tuple[int, Any]], weights: Sequence[float | None]
) -> list[OptionTally]:
    options = labelled(question.options)
    picked: list[tuple[int, set[str]]] = []
    for i, value in given:
        if question.kind == Kind.MULTIPLE_CHOICE:
            keys = {str(v) for v in value} if isinstance(value, list) else set()
        else:
            keys = {str(value)} if value not in (None, "", []) else set()
        if keys:
            picked.append((i, keys))
    answered = len(picked)
    out = []
    for key, label in options:
        count = sum(1 for _i, keys in picked if key in keys)
        out.append(
            OptionTally(
                key=key,
                label=label,
                count=count,
                share=count / answered if answered else None,
                weighted_share=_weighted(weights, [(i, key in keys) for i, keys in picked]),
            )
        )
    return out


def _ranking(
    question: Question, given: list[tuple[int, Any]], weights: Sequence[float | None]
) -> tuple[int, list[RankTally]]:
    options = labelled(question.options)
    n = len(options)
    known = {key for key, _label in options}
    orders = []
    for i, value in given:
        if isinstance(value, list) and value:
            seen: list[str] = []
            for key in map(str, value):
                if key in known and key not in seen:
                    seen.append(key)
            if seen:
                orders.append((i, seen))
    out = []
    for key, label in options:
        positions = [order.index(key) + 1 for _i, order in orders if key in order]
        per_person = [
            (i, float(n - order.index(key) - 1) if key in order else 0.0) for i, order in orders
        ]
        out.append(
            RankTally(
                key=key,
                label=label,
                points=int(sum(p for _i, p in per_person)),
                mean_position=statistics.fmean(positions) if positions else None,
                ranked_by=len(positions),
                weighted_points=_weighted_mean(weights, per_person),
            )
        )
    out.sort(key=lambda r: (-r.points, r.mean_position or n + 1, r.label))
    return len(orders), out


def _likert(
    question: Question, given: list[tuple[int, Any]], weights: Sequence[float | None]
) -> tuple[int, list[tuple[str, str]], list[RowTally]]:
    scale = labelled(question.scale)
    scale_keys = [key for key, _label in scale]
    rows = labelled(question.options) or [("", question.text)]
    answered_any = 0
    per_row: dict[str, list[tuple[int, str]]] = {key: [] for key, _label in rows}
    for i, value in given:
        if isinstance(value, dict):
            any_row = False
            for row_key, scale_key in value.items():
                if str(row_key) in per_row and str(scale_key) in scale_keys:
                    per_row[str(row_key)].append((i, str(scale_key)))
                    any_row = True
            answered_any += any_row
        elif isinstance(value, str) and value in scale_keys and len(rows) == 1:
            # A single statement may be stored as its scale key alone.
            per_row[rows[0][0]].append((i, value))
            answered_any += 1
    out = []
    for row_key, row_label in rows:
        chosen = per_row[row_key]
        counts = Counter(k for _i, k in chosen)
        out.append(
            RowTally(
                key=row_key,
                label=row_label,
                counts=[counts.get(k, 0) for k in scale_keys],
                answered=len(chosen),
                weighted_shares=[
                    _weighted(weights, [(i, k == sk) for i, k in chosen]) for sk in scale_keys
                ],
            )
        )
    return answered_any, scale, out


def _numbers(
    question: Question, given: list[tuple[int, Any]], weights: Sequence[float | None]
) -> NumberTally:
    values = [(i, d) for i, value in given if (d := to_decimal(value)) is not None]
    floats = [(i, float(d)) for i, d in values]
    plain = [v for _i, v in floats]
    integers = all(d == d.to_integral_value() for _i, d in values) and all(
        b is None or b == b.to_integral_value() for b in (question.min_value, question.max_value)
    )
    use_range = question.min_value is not None and question.max_value is not None
    bins = charts.bins_for(
        plain,
        low=float(question.min_value) if use_range and question.min_value is not None else None,
        high=float(question.max_value) if use_range and question.max_value is not None else None,
        integers=integers,
    )
    return NumberTally(
        count=len(plain),
        mean=statistics.fmean(plain) if plain else None,
        median=float(statistics.median(plain)) if plain else None,
        minimum=min(plain) if plain else None,
        maximum=max(plain) if plain else None,
        weighted_mean=_weighted_mean(weights, floats),
        bins=bins,
    )


def _wards_of(survey: Survey) -> list[tuple[int, str]]:
    return list(
        Ward.objects.filter(council_id=survey.council_id)
        .order_by("name", "id")
        .values_list("id", "name")
    )


def _ward_answers(given: list[tuple[int, Any]], wards: list[tuple[int, str]]) -> list[OptionTally]:
    counts: Counter[int] = Counter()
    for _i, value in given:
        try:
            counts[int(value)] += 1
        except (TypeError, ValueError):
            continue
    answered = sum(counts.values())
    shown = representation.suppress([counts.get(ward_id, 0) for ward_id, _name in wards])
    return [
        OptionTally(
            key=str(ward_id),
            label=name,
            count=count,
            share=count / answered if count is not None and answered else None,
        )
        for (ward_id, name), count in zip(wards, shown, strict=True)
    ]


# --- Putting it together --------------------------------------------------------------------------


def survey_results(survey: Survey, audience: Audience = STAFF) -> SurveyResults:
    """Every question's tallies, raw and weighted, with a chart each, for ``audience``.

    Reads only; a fixed number of queries whatever the number of responses.
    """
    loaded = _load(survey)
    weights = representation.weights(survey.council, loaded.profiles)
    wards = _wards_of(survey)
    questions = logic.ordered(Question.objects.filter(survey=survey))
    results = []
    for number, question in enumerate(questions, start=1):
        given = loaded.answers.get(question.pk, [])
        results.append(
            _question(question, number, given, weights, wards, audience, loaded.response_ids)
        )
    total = len(loaded.response_ids)
    channels = Counter(loaded.channels)
    weighted_people = sum(1 for w in weights if w is not None)
    return SurveyResults(
        survey=survey,
        audience=audience,
        total=total,
        online=channels.get(Response.Channel.ONLINE, 0),
        paper=channels.get(Response.Channel.PAPER, 0),
        questions=results,
        ward_chart=_ward_chart(loaded.ward_ids, wards, total),
        participation=representation.participation(survey.council, loaded.profiles),
        weighted=weighted_people >= SUPPRESS_BELOW,
        weighted_people=weighted_people,
        equality=_equality(loaded.equality)
        if audience == STAFF and survey.equality_monitoring
        else [],
    )


def _question(
    question: Question,
    number: int,
    given: list[tuple[int, Any]],
    weights: Sequence[float | None],
    wards: list[tuple[int, str]],
    audience: Audience,
    response_ids: Sequence[int],
) -> QuestionResult:
    kind = question.kind
    title = f"{number}. {question.text}"
    chart_id = f"chart-q{question.pk}"
    weighted = any(w is not None for w in weights)
    result = QuestionResult(question=question, number=number, answered=0)
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        result.options = _choices(question, given, weights)
        result.answered = sum(
            1
            for _i, v in given
            if (v not in (None, "", []) and (kind != Kind.MULTIPLE_CHOICE or isinstance(v, list)))
        )
        if kind == Kind.MULTIPLE_CHOICE:
            caption = _("%(title)s (people could choose more than one)") % {"title": title}
        else:
            caption = title
        result.chart = charts.bar_chart(
            chart_id,
            title,
            [charts.BarRow(o.label, o.count, o.share, o.weighted_share) for o in result.options],
            caption=caption,
            weighted=weighted,
        )
    elif kind == Kind.RANKING:
        result.answered, result.ranking = _ranking(question, given, weights)
        result.chart = charts.ranking_chart(
            chart_id,
            title,
            [
                charts.RankRow(r.label, r.points, r.mean_position, r.ranked_by, r.weighted_points)
                for r in result.ranking
            ],
            weighted=weighted,
        )
    elif kind == Kind.LIKERT:
        result.answered, result.scale, result.rows = _likert(question, given, weights)
        result.chart = charts.stacked_chart(
            chart_id,
            title,
            [label for _key, label in result.scale],
            [charts.StackRow(r.label, r.counts, r.weighted_shares) for r in result.rows],
            weighted=weighted,
        )
    elif kind == Kind.NUMBER:
        result.numbers = _numbers(question, given, weights)
        result.answered = result.numbers.count
        if result.numbers.bins:
            result.chart = charts.histogram(chart_id, title, result.numbers.bins)
    elif kind == Kind.WARD:
        result.options = _ward_answers(given, wards)
        result.answered = len(given)
        result.chart = charts.bar_chart(
            chart_id,
            title,
            [charts.BarRow(o.label, o.count, o.share) for o in result.options],
            label_heading=_("Ward"),
        )
    else:  # written answers and postcodes
        texts = [
            (i, str(v)) for i, v in given if isinstance(v, str | int | float) and str(v).strip()
        ]
        result.answered = len(texts)
        if audience == STAFF:
            result.texts = [
                TextAnswer(response_id=response_ids[i], text=t)
                for i, t in reversed(texts[-TEXTS_SHOWN:])  # the latest first
            ]
    if audience == PUBLIC and result.answered < SUPPRESS_BELOW and not result.is_text:
        return QuestionResult(
            question=question, number=number, answered=result.answered, withheld=True
        )
    return result


def _ward_chart(
    ward_ids: Sequence[int | None], wards: list[tuple[int, str]], total: int
) -> charts.Chart | None:
    """Responses by ward (from a ward or postcode question, or the respondent's profile)."""
    if not wards:
        return None
    known = {ward_id for ward_id, _name in wards}
    counts = Counter(w for w in ward_ids if w in known)
    unknown = total - sum(counts.values())
    shown = representation.suppress([counts.get(w, 0) for w, _name in wards] + [unknown])
    rows = [
        charts.BarRow(name, count, count / total if count is not None and total else None)
        for (_w, name), count in zip(wards, shown[:-1], strict=True)
    ]
    rows.append(
        charts.BarRow(
            _("Ward not known"),
            shown[-1],
            shown[-1] / total if shown[-1] is not None and total else None,
        )
    )
    return charts.bar_chart("chart-wards", _("Responses by ward"), rows, label_heading=_("Ward"))


EQUALITY_FIELDS = (
    ("age_band", AgeBand),
    ("sex", Sex),
    ("disability", Disability),
    ("ethnicity", Ethnicity),
)


def equality_labels() -> dict[str, str]:
    return {
        "age_band": _("Age"),
        "sex": _("Sex"),
        "disability": _("Disability"),
        "ethnicity": _("Ethnic group"),
    }


def _equality(rows: list[tuple[str, str, str, str]]) -> list[EqualityTable]:
    labels = equality_labels()
    out = []
    for index, (name, choices) in enumerate(EQUALITY_FIELDS):
        counts = Counter(row[index] for row in rows)
        keys = [*choices.values, PREFER_NOT_TO_SAY]
        row_labels = [*(str(label) for label in choices.labels), str(PREFER_NOT_TO_SAY_LABEL)]
        not_answered = len(rows) - sum(counts.get(k, 0) for k in keys)
        shown = representation.suppress([counts.get(k, 0) for k in keys] + [not_answered])
        out.append(
            EqualityTable(
                name=name,
                label=labels[name],
                rows=list(zip([*row_labels, _("Not answered")], shown, strict=True)),
            )
        )
    return out
