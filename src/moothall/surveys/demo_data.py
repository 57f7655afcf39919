"""Demo surveys at Brackenford District Council, built and answered through the verbs.

- **Parks and green spaces survey 2026**, open (for anyone, signed in or not): every kind
  of question, conditions (a follow-up shown only to people who rarely visit, and a
  question behind that one), the equality-monitoring block, and 150 generated
  responses — most online (twenty answered page by page through the answering verbs, the
  rest through the bulk import verb, checked the same way), twelve entered from paper —
  with wards, postcodes and equality answers, and six saved but not sent.
- **Library opening hours 2025**, closed last year with its results published: 420
  responses, enough for most wards' figures to be shown rather than suppressed.

The answers are invented but hang together (people who rarely visit rate the parks lower;
the wards' shares follow where the demo's postcodes are). Deterministic (seeded) and
idempotent: an audit entry records the version built; a second run does nothing, a new
version deletes the demo's surveys (by title) and builds them again.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.core.audit import record
from moothall.core.models import AuditEntry
from moothall.councils.models import Council, Postcode, Ward
from moothall.demo.registry import DemoContext, demo_step
from moothall.population.bands import PREFER_NOT_TO_SAY, AgeBand, Disability, Ethnicity, Sex
from moothall.surveys import domain, logic
from moothall.surveys.domain import ABOUT_YOU_PAGE
from moothall.surveys.models import Kind, Question, Response, Survey

SEED = 1936  # the year Mass Observation began asking ordinary people what they thought
VERSION = "2"  # bump when the demo's shape changes: it is then rebuilt
DEMO_COUNCIL = "brackenford"
AUDIT_ACTION = "surveys.demo"
PARKS_TITLE = "Parks and green spaces survey 2026"
LIBRARY_TITLE = "Library opening hours 2025"
TITLES = (PARKS_TITLE, LIBRARY_TITLE)
PARKS_RESPONSES = 150
PARKS_PAPER = 12
PARKS_PAGE_BY_PAGE = 20
# Enough that most wards pass the suppression threshold (10) on the results page.
LIBRARY_RESPONSES = 420

# Roughly England's adult population by age band, for who answers (older people answer
# council surveys more, so the demo's representativeness pages have something to show).
ANSWER_AGES = {
    AgeBand.AGE_16_24: 6,
    AgeBand.AGE_25_34: 12,
    AgeBand.AGE_35_44: 16,
    AgeBand.AGE_45_54: 18,
    AgeBand.AGE_55_64: 19,
    AgeBand.AGE_65_74: 17,
    AgeBand.AGE_75_PLUS: 9,
}
ETHNICITIES = {
    Ethnicity.WHITE: 82,
    Ethnicity.ASIAN: 8,
    Ethnicity.BLACK: 4,
    Ethnicity.MIXED: 3,
    Ethnicity.OTHER: 2,
}
DISABILITIES = {Disability.NO: 75, Disability.YES_A_LITTLE: 14, Disability.YES_A_LOT: 8}

ANYTHING_ELSE = [
    "Please keep the toilets in Riverside Park open in the winter.",
    "The paths get very muddy near the playground after rain.",
    "More bins, and empty them more often at weekends.",
    "I would love a wildflower meadow instead of so much mown grass.",
    "The park is lovely but I don't feel safe walking through it after dark.",
    "Dogs off leads near the play area worry me.",
    "Thank you to the park keepers, they do a great job.",
    "A café would bring more people in and make it feel safer.",
    "Benches with backs and arms, please: I can't get up from the low ones.",
    "Outdoor gym equipment for adults would be great.",
    "The skate park needs resurfacing.",
    "Please don't sell off any green space for housing.",
    "More trees for shade in summer.",
    "Better signs to the parks from the bus stops.",
]
OTHER_REASONS = [
    "I work long hours.",
    "My knees: the paths are too steep.",
    "I have a garden of my own.",
    "Too many dogs.",
    "There is nowhere to park.",
]
LIBRARY_COMMENTS = [
    "Sunday opening would let working parents bring their children.",
    "Evenings are when I can get there after work.",
    "Please keep the quiet study area.",
    "The computers are essential for people without internet at home.",
    "Saturday afternoons are the best time for families.",
    "More events for teenagers.",
]


def keys(question: Question, name: str = "options") -> list[str]:
    """The keys of a question's options (or scale), in order."""
    return logic.option_keys(getattr(question, name))


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _equality(rng: random.Random) -> dict[str, str]:
    """An equality-monitoring answer: most answer, some prefer not to say, some skip."""
    out: dict[str, str] = {}
    for name, pick in (
        ("age_band", lambda: _weighted(rng, ANSWER_AGES)),
        ("sex", lambda: _weighted(rng, {Sex.FEMALE: 56, Sex.MALE: 44})),
        ("disability", lambda: _weighted(rng, DISABILITIES)),
        ("ethnicity", lambda: _weighted(rng, ETHNICITIES)),
    ):
        roll = rng.random()
        out[name] = "" if roll < 0.08 else PREFER_NOT_TO_SAY if roll < 0.14 else str(pick())
    return out


class _Demo:
    def __init__(self, council: Council) -> None:
        self.council = council
        self.rng = random.Random(SEED)  # noqa: S311 - invented content, not secrets
        self.now = timezone.now()
        self.wards = list(Ward.objects.filter(council=council).order_by("name"))
        by_code = {w.gss_code: w for w in self.wards if w.gss_code}
        self.postcodes: list[tuple[str, Ward]] = [
            (postcode, by_code[ward_gss])
            for postcode, ward_gss in Postcode.objects.filter(district_gss=council.gss_code or "-")
            .exclude(ward_gss="")
            .order_by("postcode")
            .values_list("postcode", "ward_gss")[:3000]
            if ward_gss in by_code
        ]
        # Some wards answer more than others (what representativeness pages are for).
        self.ward_weights = {w.pk: self.rng.choice([1, 2, 3, 5, 8]) for w in self.wards}

    def where(self) -> tuple[Ward | None, str]:
        """A respondent's ward and one of its postcodes ("" when the demo has none)."""
        if self.postcodes:
            weights = [self.ward_weights[ward.pk] for _p, ward in self.postcodes]
            postcode, ward = self.rng.choices(self.postcodes, weights=weights)[0]
            return ward, postcode
        if self.wards:
            return self.rng.choice(self.wards), ""
        return None, ""


# --- Parks ------------------------------------------------------------------------------------


def _parks_questions(survey: Survey) -> dict[str, Question]:
    add = domain.add_question
    q: dict[str, Question] = {}
    q["visit"] = add(
        survey,
        by=None,
        kind=Kind.SINGLE_CHOICE,
        text="How often do you visit Brackenford’s parks and green spaces?",
        required=True,
        options=["Every day", "Every week", "Every month", "Less often", "Never"],
        page=1,
    )
    q["stops"] = add(
        survey,
        by=None,
        kind=Kind.MULTIPLE_CHOICE,
        text="What stops you visiting more often?",
        help_text="Select all that apply.",
        options=[
            "They are too far away",
            "I do not feel safe",
            "There are no toilets",
            "The paths are hard to use",
            "There is nothing to do there",
            "Something else",
        ],
        show_if_question=q["visit"],
        show_if_values=["less_often", "never"],
        page=1,
    )
    q["stops_other"] = add(
        survey,
        by=None,
        kind=Kind.SHORT_TEXT,
        text="What else stops you?",
        max_length=200,
        show_if_question=q["stops"],
        show_if_values=["something_else"],
        page=1,
    )
    q["improve"] = add(
        survey,
        by=None,
        kind=Kind.MULTIPLE_CHOICE,
        text="Which improvements matter most to you?",
        help_text="Choose up to three.",
        options=[
            "Paths and lighting",
            "Toilets",
            "Play areas",
            "Seating",
            "Areas for nature and wildlife",
            "Sports pitches and courts",
        ],
        max_choices=3,
        required=True,
        page=2,
    )
    q["priorities"] = add(
        survey,
        by=None,
        kind=Kind.RANKING,
        text="Put these spending priorities in order",
        help_text="Your first choice is what you would spend money on first.",
        options=["Safety", "Cleanliness", "Nature", "Facilities"],
        page=2,
    )
    q["statements"] = add(
        survey,
        by=None,
        kind=Kind.LIKERT,
        text="How much do you agree with these statements?",
        options=[
            "Our parks are kept clean",
            "I feel safe in our parks after dark",
            "I can reach a park easily without a car",
        ],
        required=True,
        page=2,
    )
    q["volunteers"] = add(
        survey,
        by=None,
        kind=Kind.LIKERT,
        text="The council should support volunteers to help look after parks",
        page=3,
    )
    q["minutes"] = add(
        survey,
        by=None,
        kind=Kind.NUMBER,
        text="How many minutes does it take you to walk to your nearest park?",
        help_text="A rough guess is fine.",
        min_value=0,
        max_value=180,
        page=3,
    )
    q["anything"] = add(
        survey,
        by=None,
        kind=Kind.LONG_TEXT,
        text="Is there anything else you would like to tell us about parks?",
        max_length=2000,
        page=3,
    )
    q["ward"] = add(
        survey,
        by=None,
        kind=Kind.WARD,
        text="Which ward do you live in?",
        help_text="If you are not sure, leave this and give your postcode instead.",
        page=4,
    )
    q["postcode"] = add(
        survey,
        by=None,
        kind=Kind.POSTCODE,
        text="What is your postcode?",
        help_text="We use it only to see which areas answered.",
        page=4,
    )
    return q


def _parks_answers(demo: _Demo, q: dict[str, Question]) -> dict[int, dict[int, Any]]:
    """One person's answers to the parks survey, page by page ({page: {question: raw}})."""
    rng = demo.rng
    visits = keys(q["visit"])  # every day, every week, every month, less often, never
    visit = rng.choices(visits, weights=[18, 34, 20, 18, 10])[0]
    keen = visit in visits[:2]
    page1: dict[int, Any] = {q["visit"].pk: visit}
    if visit in visits[3:]:
        reasons = keys(q["stops"])
        stops = rng.sample(reasons, rng.randint(1, 3))
        page1[q["stops"].pk] = stops
        if reasons[-1] in stops:  # something else
            page1[q["stops_other"].pk] = rng.choice(OTHER_REASONS)
    improvements = keys(q["improve"])
    improve_weights = [30, 25, 15, 12, 20, 8]
    chosen: list[str] = []
    while len(chosen) < rng.randint(1, 3):
        pick = rng.choices(improvements, weights=improve_weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    priorities = keys(q["priorities"])
    safety = priorities[0]
    rng.shuffle(priorities)
    if rng.random() < 0.5 and safety != priorities[0]:
        priorities.remove(safety)
        priorities.insert(0, safety)
    scale = keys(q["statements"], "scale")
    clean, safe, reach = keys(q["statements"])

    def agree(lean: float) -> str:
        centre = 1.5 + lean + rng.gauss(0, 1)
        return scale[max(0, min(4, round(centre)))]

    page2: dict[int, Any] = {
        q["improve"].pk: chosen,
        q["priorities"].pk: priorities if rng.random() < 0.85 else [],
        q["statements"].pk: {
            clean: agree(-0.6 if keen else 0.4),
            safe: agree(1.0),
            reach: agree(-0.8 if keen else 0.6),
        },
    }
    page3: dict[int, Any] = {
        q["volunteers"].pk: {keys(q["volunteers"])[0]: agree(-1.0)} if rng.random() < 0.9 else {},
        q["minutes"].pk: str(max(1, int(rng.expovariate(1 / (8 if keen else 20)))))
        if rng.random() < 0.8
        else "",
        q["anything"].pk: rng.choice(ANYTHING_ELSE) if rng.random() < 0.3 else "",
    }
    ward, postcode = demo.where()
    roll = rng.random()
    page4: dict[int, Any] = {
        q["ward"].pk: str(ward.pk) if ward is not None and roll < 0.55 else "",
        q["postcode"].pk: postcode if postcode and 0.35 < roll < 0.9 else "",
    }
    return {1: page1, 2: page2, 3: page3, 4: page4}


def _whole(pages: dict[int, dict[int, Any]]) -> dict[int, Any]:
    """Every page's answers in one dict."""
    return {pk: value for data in pages.values() for pk, value in data.items()}


def _answer_online(survey: Survey, pages: dict[int, dict[int, Any]], equality: dict) -> Response:
    response = domain.start_response(survey)
    for page, data in pages.items():
        errors = domain.save_page(response, page, data)
        if errors:  # pragma: no cover - the demo's answers are made to be valid
            raise ValueError(f"demo answers refused on page {page}: {errors}")
    if survey.equality_monitoring:
        domain.save_page(response, ABOUT_YOU_PAGE, equality)
    return domain.submit_response(response)


def _spread(
    responses: list[Response], start: dt.datetime, end: dt.datetime, rng: random.Random
) -> None:
    """Date the responses over a period (the verbs stamp the wall clock): busier at first."""
    span = (end - start).total_seconds()
    for response in responses:
        when = start + dt.timedelta(seconds=span * min(rng.betavariate(1.2, 2.2), 0.999))
        response.started_at = when - dt.timedelta(minutes=rng.randint(3, 40))
        response.submitted_at = when
    Response.objects.bulk_update(responses, ["started_at", "submitted_at"])


def _parks(demo: _Demo) -> Survey:
    now = demo.now
    survey = domain.create_survey(
        demo.council,
        by=None,
        title=PARKS_TITLE,
        summary="Tell us how you use Brackenford’s parks and what would make them better.",
        description=(
            "Brackenford District Council looks after **14 parks** and many smaller green "
            "spaces. We are writing a new parks strategy for the next ten years and want to "
            "hear from everyone: people who use the parks every day, and people who never do."
            "\n\nThe survey takes about 5 minutes. You can save your answers and come back "
            "later. Paper copies are available at Brackenford Library and the Corn Exchange."
        ),
        answer_level=Eligibility.NONE,
        equality_monitoring=True,
        results_public=True,
        opens_at=now - dt.timedelta(days=21),
        closes_at=now + dt.timedelta(days=30),
    )
    q = _parks_questions(survey)
    domain.open_survey(survey, by=None)
    # A few answered page by page, as residents do; the rest arrive through the bulk verb
    # (checked the same way), which keeps the demo quick to build.
    responses = [
        _answer_online(survey, _parks_answers(demo, q), _equality(demo.rng))
        for _n in range(PARKS_PAGE_BY_PAGE)
    ]
    rows = [
        domain.ImportedResponse(
            answers=_whole(_parks_answers(demo, q)), equality=_equality(demo.rng)
        )
        for _n in range(PARKS_RESPONSES - PARKS_PAPER - PARKS_PAGE_BY_PAGE)
    ]
    responses += domain.import_responses(survey, by=None, rows=rows)
    for _n in range(PARKS_PAPER):
        paper = domain.enter_paper_response(
            survey, by=None, answers=_whole(_parks_answers(demo, q)), equality=_equality(demo.rng)
        )
        responses.append(paper)
    # A few people saved their answers and have not come back yet.
    for _n in range(6):
        partial = domain.start_response(survey)
        domain.save_page(partial, 1, _parks_answers(demo, q)[1], require=False, advance=True)
    _spread(responses, now - dt.timedelta(days=21), now, demo.rng)
    Survey.objects.filter(pk=survey.pk).update(
        created_at=now - dt.timedelta(days=30), opened_at=now - dt.timedelta(days=22)
    )
    return survey


# --- Library -----------------------------------------------------------------------------------


def _library(demo: _Demo) -> Survey:
    rng = demo.rng
    opened = demo.now - dt.timedelta(days=400)
    closed = opened + dt.timedelta(days=42)
    survey = domain.create_survey(
        demo.council,
        by=None,
        title=LIBRARY_TITLE,
        summary="When should Brackenford Library be open? We asked, and this is what you said.",
        description=(
            "The library’s budget allows **52 opening hours a week**. We asked residents "
            "which hours matter most before setting the new timetable."
        ),
        answer_level=Eligibility.NONE,
        equality_monitoring=True,
        results_public=True,
    )
    add = domain.add_question
    use = add(
        survey,
        by=None,
        kind=Kind.SINGLE_CHOICE,
        text="How often do you use Brackenford Library?",
        required=True,
        options=["Every week", "Every month", "A few times a year", "Never"],
        page=1,
    )
    extra = add(
        survey,
        by=None,
        kind=Kind.SINGLE_CHOICE,
        text="If the library could open for longer at one time, which would you choose?",
        required=True,
        options=["Weekday evenings", "Saturday afternoons", "Sunday mornings"],
        page=1,
    )
    services = add(
        survey,
        by=None,
        kind=Kind.MULTIPLE_CHOICE,
        text="Which of these do you use?",
        options=["Borrowing books", "Computers and Wi-Fi", "Children’s activities", "Study space"],
        page=1,
    )
    agree = add(
        survey,
        by=None,
        kind=Kind.LIKERT,
        text="The library’s current hours suit me",
        required=True,
        page=1,
    )
    comment = add(
        survey,
        by=None,
        kind=Kind.LONG_TEXT,
        text="Anything else about the library?",
        page=2,
    )
    ward = add(survey, by=None, kind=Kind.WARD, text="Which ward do you live in?", page=2)
    domain.open_survey(survey, by=None)
    scale = keys(agree, "scale")
    rows = []
    for _n in range(LIBRARY_RESPONSES):
        home = demo.where()[0]
        pages: dict[int, dict[int, Any]] = {
            1: {
                use.pk: rng.choices(keys(use), weights=[30, 30, 25, 15])[0],
                extra.pk: rng.choices(keys(extra), weights=[40, 35, 25])[0],
                services.pk: rng.sample(keys(services), rng.randint(0, 3)),
                agree.pk: {keys(agree)[0]: scale[max(0, min(4, round(2 + rng.gauss(0, 1.1))))]},
            },
            2: {
                comment.pk: rng.choice(LIBRARY_COMMENTS) if rng.random() < 0.25 else "",
                ward.pk: str(home.pk) if home is not None and rng.random() < 0.8 else "",
            },
        }
        rows.append(domain.ImportedResponse(answers=_whole(pages), equality=_equality(rng)))
    responses = domain.import_responses(survey, by=None, rows=rows)
    domain.close_survey(survey, by=None)
    _spread(responses, opened, closed, rng)
    Survey.objects.filter(pk=survey.pk).update(
        created_at=opened - dt.timedelta(days=7),
        opens_at=opened,
        opened_at=opened,
        closes_at=closed,
        closed_at=closed,
    )
    return survey


# --- The step ----------------------------------------------------------------------------------


def clear(council: Council) -> None:
    """Remove the demo's surveys (by title); conditions first (they protect questions)."""
    surveys = Survey.objects.filter(council=council, title__in=TITLES)
    Question.objects.filter(survey__in=surveys).update(show_if_question=None)
    surveys.delete()


def build(council: Council) -> dict[str, Any]:
    demo = _Demo(council)
    parks = _parks(demo)
    library = _library(demo)
    return {
        "parks": parks,
        "library": library,
        "responses": Response.objects.filter(
            survey__in=[parks, library], state=Response.State.SUBMITTED
        ).count(),
    }


def built_version(council: Council) -> str | None:
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION, council=council).order_by("-pk").first()
    if entry is None or Survey.objects.filter(council=council, title__in=TITLES).count() != len(
        TITLES
    ):
        return None
    return str(entry.details.get("version"))


@demo_step(order=65)
def demo_surveys(context: DemoContext) -> str:
    """Brackenford's surveys: one open with ~150 responses, one closed with its results."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    if council is None:
        return f"skipped: no council {DEMO_COUNCIL!r} (the Mootshire step makes it)"
    if built_version(council) == VERSION:
        return f"already built (version {VERSION}): {len(TITLES)} surveys of {council.short_name}"
    started = time.monotonic()
    with transaction.atomic():
        clear(council)
        made = build(council)
        record(AUDIT_ACTION, council=council, target=council, version=VERSION)
    seconds = time.monotonic() - started
    return (
        f"{council.short_name}: {made['parks'].title} (open), {made['library'].title} "
        f"(closed, results published); {made['responses']} responses ({seconds:.1f} s)"
    )
