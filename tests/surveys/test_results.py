"""Survey results: tallies worked out by hand, weighted beside raw, small groups suppressed,
and what the public sees against what staff see.

The scene: Mootshire has two wards, Moot and Hill, each with 1,000 residents (all counted
in one age band and sex, so weighting is by ward alone). Responses are written straight
into the tables, so these tests hold whatever the answering pages do.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from defusedxml import ElementTree as DefusedET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moothall.population.models import WardPopulation
from moothall.surveys import results
from moothall.surveys.models import Answer, Kind, Question, Response, Status, Survey
from tests import factories

pytestmark = pytest.mark.django_db

_positions = itertools.count(1)


def opts(*keys: str) -> list[dict[str, str]]:
    return [{"key": k, "label": k.title()} for k in keys]


def make_survey(council: Any, **fields: Any) -> Survey:
    defaults = {"title": "Parks", "slug": "parks", "status": Status.CLOSED}
    return Survey.objects.create(council=council, **(defaults | fields))


def ask(survey: Survey, kind: str, text: str = "Q", **fields: Any) -> Question:
    return Question.objects.create(
        survey=survey, kind=kind, text=text, position=next(_positions), **fields
    )


def respond(
    survey: Survey,
    answers: dict[Question, Any],
    *,
    ward: Any = None,
    sent: bool = True,
    channel: str = Response.Channel.ONLINE,
    **equality: str,
) -> Response:
    response = Response.objects.create(
        survey=survey,
        ward=ward,
        channel=channel,
        state=Response.State.SUBMITTED if sent else Response.State.IN_PROGRESS,
        submitted_at=timezone.now() if sent else None,
        **equality,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in answers.items()
    )
    return response


@pytest.fixture
def wards(council):
    moot = factories.WardFactory(council=council, name="Moot")
    hill = factories.WardFactory(council=council, name="Hill")
    return moot, hill


@pytest.fixture
def population(council, wards):
    for ward in wards:
        WardPopulation.objects.create(
            council=council, ward=ward, age_band="35_44", sex="female", count=1000
        )
    return wards


def test_single_choice_counts_and_shares_are_of_the_people_who_answered(council):
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no", "maybe"))
    other = ask(survey, Kind.SHORT_TEXT)
    for value in ["yes", "yes", "yes", "no"]:
        respond(survey, {q: value})
    respond(survey, {other: "skipped the choice"})
    respond(survey, {q: "yes"}, sent=False)  # saved, never sent: never counted

    found = results.survey_results(survey)

    result = found.questions[0]
    assert found.total == 5
    assert result.answered == 4
    assert [(o.key, o.label, o.count, o.share) for o in result.options] == [
        ("yes", "Yes", 3, 0.75),
        ("no", "No", 1, 0.25),
        ("maybe", "Maybe", 0, 0.0),
    ]
    assert result.chart is not None
    assert result.chart.table.rows[0] == ["Yes", "3", "75%"]


def test_multiple_choice_shares_can_add_up_to_more_than_one(council):
    survey = make_survey(council)
    q = ask(survey, Kind.MULTIPLE_CHOICE, options=opts("bus", "bike", "car"))
    respond(survey, {q: ["bus", "bike"]})
    respond(survey, {q: ["bus"]})
    respond(survey, {q: ["car", "bus"]})
    respond(survey, {q: ["nonsense"]})  # an unknown key counts as an answer of nothing

    result = results.survey_results(survey).questions[0]

    assert result.answered == 4
    assert {o.key: o.count for o in result.options} == {"bus": 3, "bike": 1, "car": 1}
    assert result.options[0].share == 0.75
    assert "people could choose more than one" in result.chart.table.caption


def test_ranking_gives_borda_points_and_mean_positions(council):
    survey = make_survey(council)
    q = ask(survey, Kind.RANKING, options=opts("a", "b", "c"))
    respond(survey, {q: ["a", "b", "c"]})
    respond(survey, {q: ["a", "c", "b"]})
    respond(survey, {q: ["b", "a", "c"]})

    result = results.survey_results(survey).questions[0]

    assert result.answered == 3
    # First of three scores 2, second 1, last 0.
    assert [(r.key, r.points, r.ranked_by) for r in result.ranking] == [
        ("a", 5, 3),
        ("b", 3, 3),
        ("c", 1, 3),
    ]
    assert [round(r.mean_position or 0, 3) for r in result.ranking] == [1.333, 2.0, 2.667]


def test_a_likert_matrix_counts_each_row_on_the_scale(council):
    survey = make_survey(council)
    scale = [{"key": "agree", "label": "Agree"}, {"key": "disagree", "label": "Disagree"}]
    q = ask(survey, Kind.LIKERT, options=opts("clean", "safe"), scale=scale)
    respond(survey, {q: {"clean": "agree", "safe": "agree"}})
    respond(survey, {q: {"clean": "disagree", "safe": "agree"}})
    respond(survey, {q: {"clean": "agree"}})  # an optional row left out

    result = results.survey_results(survey).questions[0]

    assert result.answered == 3
    assert result.scale == [("agree", "Agree"), ("disagree", "Disagree")]
    assert [(r.key, r.counts, r.answered) for r in result.rows] == [
        ("clean", [2, 1], 3),
        ("safe", [2, 0], 2),
    ]
    assert result.rows[1].shares == [1.0, 0.0]
    assert result.chart.table.rows[0][:3] == ["Clean", "2 (67%)", "1 (33%)"]


def test_numbers_give_mean_median_range_and_a_histogram(council):
    survey = make_survey(council)
    q = ask(survey, Kind.NUMBER)
    for value in ["1", "2", "3", "4", "10"]:
        respond(survey, {q: value})

    result = results.survey_results(survey).questions[0]

    n = result.numbers
    assert n is not None
    assert (n.count, n.mean, n.median, n.minimum, n.maximum) == (5, 4.0, 3.0, 1.0, 10.0)
    assert sum(b.count for b in n.bins) == 5
    assert result.chart is not None


def test_weighted_shares_stand_beside_the_raw_ones(council, population):
    moot, hill = population
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    # Twice as many answers from Moot as from Hill, which have as many residents:
    # Moot's count for three quarters each, Hill's for one and a half.
    for _n in range(20):
        respond(survey, {q: "yes"}, ward=moot)
    for _n in range(10):
        respond(survey, {q: "no"}, ward=hill)

    found = results.survey_results(survey)

    yes, no = found.questions[0].options
    assert (yes.count, no.count) == (20, 10)
    assert yes.share == pytest.approx(2 / 3)
    assert yes.weighted_share == pytest.approx(0.5, abs=1e-6)
    assert no.weighted_share == pytest.approx(0.5, abs=1e-6)
    assert found.weighted
    assert found.weighted_people == 30
    assert found.questions[0].chart.table.rows == [
        ["Yes", "20", "67%", "50%"],
        ["No", "10", "33%", "50%"],
    ]


def test_weighted_means_and_points_use_the_same_weights(council, population):
    moot, hill = population
    survey = make_survey(council)
    number = ask(survey, Kind.NUMBER)
    rank = ask(survey, Kind.RANKING, options=opts("a", "b"))
    for _n in range(20):
        respond(survey, {number: "2", rank: ["a", "b"]}, ward=moot)
    for _n in range(10):
        respond(survey, {number: "8", rank: ["b", "a"]}, ward=hill)

    found = results.survey_results(survey)

    assert found.questions[0].numbers.mean == pytest.approx(4.0)
    assert found.questions[0].numbers.weighted_mean == pytest.approx(5.0, abs=1e-6)
    by_key = {r.key: r for r in found.questions[1].ranking}
    assert by_key["a"].points == 20
    assert by_key["b"].points == 10
    assert by_key["a"].weighted_points == pytest.approx(0.5, abs=1e-6)


def test_a_weighted_figure_from_fewer_than_ten_people_is_not_shown(council, population):
    moot, _hill = population
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    later = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    for n in range(12):
        respond(survey, {q: "yes", **({later: "no"} if n < 9 else {})}, ward=moot)

    found = results.survey_results(survey)

    assert found.questions[0].options[0].weighted_share == pytest.approx(1.0)
    assert found.questions[1].answered == 9
    assert [o.weighted_share for o in found.questions[1].options] == [None, None]


def test_without_population_figures_nothing_is_weighted(council, wards):
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    for _n in range(15):
        respond(survey, {q: "yes"}, ward=wards[0])

    found = results.survey_results(survey)

    assert not found.weighted
    assert found.questions[0].options[0].weighted_share is None
    assert not found.participation.has_population


def test_responses_by_ward_suppress_groups_under_ten(council, wards):
    moot, hill = wards
    survey = make_survey(council)
    q = ask(survey, Kind.SHORT_TEXT)
    for _n in range(15):
        respond(survey, {q: "x"}, ward=moot)
    for _n in range(3):
        respond(survey, {q: "x"}, ward=hill)
    for _n in range(12):
        respond(survey, {q: "x"})  # ward not known

    chart = results.survey_results(survey).ward_chart

    assert chart is not None
    # Hill's 3 is hidden, and so is the next smallest (12), so 3 cannot be worked out.
    assert chart.table.rows == [
        ["Hill", "fewer than 10", "–"],
        ["Moot", "15", "50%"],
        ["Ward not known", "fewer than 10", "–"],
    ]


def test_answers_to_a_ward_question_are_suppressed_under_ten(council, wards):
    moot, hill = wards
    survey = make_survey(council)
    q = ask(survey, Kind.WARD)
    for _n in range(14):
        respond(survey, {q: moot.pk})
    for _n in range(11):
        respond(survey, {q: hill.pk})
    respond(survey, {q: hill.pk + 1000})  # not one of the council's wards

    result = results.survey_results(survey).questions[0]

    assert [(o.label, o.count) for o in result.options] == [("Hill", 11), ("Moot", 14)]
    survey2 = make_survey(council, slug="small")
    q2 = ask(survey2, Kind.WARD)
    for _n in range(14):
        respond(survey2, {q2: moot.pk})
    respond(survey2, {q2: hill.pk})
    small = results.survey_results(survey2).questions[0]
    assert [(o.label, o.count) for o in small.options] == [("Hill", None), ("Moot", None)]


def test_the_public_sees_no_figures_for_a_question_fewer_than_ten_answered(council):
    survey = make_survey(council)
    common = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    rare = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    for n in range(12):
        respond(survey, {common: "yes", **({rare: "no"} if n < 9 else {})})

    public = results.survey_results(survey, results.PUBLIC)
    staff = results.survey_results(survey, results.STAFF)

    assert not public.questions[0].withheld
    assert public.questions[1].withheld
    assert public.questions[1].answered == 9
    assert public.questions[1].options == []
    assert public.questions[1].chart is None
    assert public.questions[1].to_json() == {
        "question": rare.pk,
        "number": 2,
        "kind": "single_choice",
        "text": "Q",
        "answered": 9,
        "withheld": True,
    }
    assert not staff.questions[1].withheld
    assert staff.questions[1].options[1].count == 9


def test_written_answers_are_for_staff_only_the_latest_first(council):
    survey = make_survey(council)
    q = ask(survey, Kind.LONG_TEXT)
    first = respond(survey, {q: "More benches"})
    second = respond(survey, {q: "Fewer dogs"})
    respond(survey, {q: "   "})

    staff = results.survey_results(survey, results.STAFF).questions[0]
    public = results.survey_results(survey, results.PUBLIC).questions[0]

    assert staff.answered == 2
    assert [(t.response_id, t.text) for t in staff.texts] == [
        (second.pk, "Fewer dogs"),
        (first.pk, "More benches"),
    ]
    assert public.answered == 2
    assert public.texts == []
    assert not public.withheld
    assert "texts" not in str(public.to_json())


def test_equality_answers_are_tabled_for_staff_with_small_groups_suppressed(council):
    survey = make_survey(council)
    q = ask(survey, Kind.SHORT_TEXT)
    for _n in range(12):
        respond(survey, {q: "x"}, age_band="25_34", sex="female")
    for _n in range(11):
        respond(survey, {q: "x"}, age_band="prefer_not_to_say", sex="male")
    respond(survey, {q: "x"}, age_band="75_plus")
    for _n in range(9):
        respond(survey, {q: "x"})  # the block left unanswered

    staff = results.survey_results(survey, results.STAFF)
    public = results.survey_results(survey, results.PUBLIC)

    age = next(t for t in staff.equality if t.name == "age_band")
    rows = dict(age.rows)
    assert rows["25 to 34"] == 12
    assert rows["Prefer not to say"] == 11
    # 1 person: hidden, and the 9 who did not answer with them (together 10).
    assert rows["75 or over"] is None
    assert rows["Not answered"] is None
    sex = dict(next(t for t in staff.equality if t.name == "sex").rows)
    assert (sex["Female"], sex["Male"], sex["Not answered"]) == (12, 11, 10)
    assert public.equality == []


def test_paper_and_online_responses_both_count_and_are_told_apart(council):
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    respond(survey, {q: "yes"})
    respond(survey, {q: "yes"}, channel=Response.Channel.PAPER)

    found = results.survey_results(survey)

    assert (found.total, found.online, found.paper) == (2, 1, 1)
    assert found.questions[0].options[0].count == 2


def test_a_survey_with_no_responses_still_has_a_chart_for_each_choice(council, wards):
    survey = make_survey(council)
    ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    ask(survey, Kind.RANKING, options=opts("a", "b"))
    ask(survey, Kind.LIKERT, options=opts("clean"), scale=opts("agree", "disagree"))
    ask(survey, Kind.NUMBER)
    ask(survey, Kind.SHORT_TEXT)

    found = results.survey_results(survey)

    assert found.total == 0
    assert [q.answered for q in found.questions] == [0, 0, 0, 0, 0]
    assert [q.chart is not None for q in found.questions] == [True, True, True, False, False]
    assert found.questions[0].options[0].share is None
    assert found.participation.participants is None


def test_the_number_of_queries_does_not_grow_with_the_responses(council, population):
    moot, _hill = population
    survey = make_survey(council)
    q = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    t = ask(survey, Kind.SHORT_TEXT)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            results.survey_results(survey)
        return len(queries)

    respond(survey, {q: "yes", t: "a"}, ward=moot)
    few = count()
    for _n in range(30):
        respond(survey, {q: "no", t: "b"}, ward=moot)

    assert count() == few


def test_answers_of_odd_shapes_are_skipped_not_an_error(council):
    survey = make_survey(council)
    single = ask(survey, Kind.SINGLE_CHOICE, options=opts("yes", "no"))
    multiple = ask(survey, Kind.MULTIPLE_CHOICE, options=opts("a", "b"))
    rank = ask(survey, Kind.RANKING, options=opts("a", "b"))
    scale = ask(survey, Kind.LIKERT, options=opts("r"), scale=opts("x", "y"))
    number = ask(survey, Kind.NUMBER)
    ward = ask(survey, Kind.WARD)
    respond(
        survey,
        {
            single: ["yes"],
            multiple: "a",
            rank: {"a": 1},
            scale: ["x"],
            number: "not a number",
            ward: "somewhere",
        },
    )

    found = results.survey_results(survey)

    assert found.total == 1
    assert found.questions[4].numbers.count == 0
    assert found.questions[2].answered == 0


# --- The public results page ------------------------------------------------------------------


def results_url(survey: Survey) -> str:
    return f"/{survey.council.slug}/surveys/{survey.slug}/results/"


@pytest.fixture
def published(council, population):
    moot, hill = population
    survey = make_survey(council, title="Bins", slug="bins", closed_at=timezone.now())
    often = ask(survey, Kind.SINGLE_CHOICE, "How often?", options=opts("weekly", "fortnightly"))
    said = ask(survey, Kind.LONG_TEXT, "Anything else?")
    for n in range(24):
        respond(
            survey,
            {often: "weekly" if n % 3 else "fortnightly", said: "My neighbour at number 4"},
            ward=moot if n < 16 else hill,
        )
    return survey


def test_the_public_sees_charts_raw_beside_weighted_and_who_answered(client, published):
    response = client.get(results_url(published))

    page = response.content.decode()
    assert response.status_code == 200
    assert "24 people answered this survey (24 online, 0 on paper)." in page
    assert '<table class="govuk-table" id="chart-q' in page
    assert "Share weighted to the population" in page
    assert "Participants by ward" in page  # the representativeness partial
    assert 'id="chart-wards"' in page
    assert "My neighbour at number 4" not in page
    assert "Answers in people’s own words are read by the council and are not published." in page
    assert not re.search(r'\sstyle="', page)  # no inline styles (the CSP forbids them)
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="mh-chart"') :]
    assert DefusedET.fromstring(svg[: svg.index("</svg>") + 6]).get("role") == "img"


def test_results_wait_for_the_survey_to_close(client, published):
    published.status = Status.OPEN
    published.save()

    response = client.get(results_url(published))

    assert response.status_code == 200
    assert "The results are published when the survey closes." in response.content.decode()
    assert "chart-q" not in response.content.decode()


def test_results_the_council_keeps_are_not_shown(client, published):
    published.results_public = False
    published.save()

    response = client.get(results_url(published))

    assert "The council has not published the results of this survey." in response.content.decode()


def test_staff_see_the_public_page_before_it_is_published(client, published, officer, resident):
    published.status = Status.DRAFT
    published.save()

    client.force_login(resident)
    assert client.get(results_url(published)).status_code == 404
    client.force_login(officer)
    response = client.get(results_url(published))

    assert response.status_code == 200
    assert "Only staff can see this page now" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "My neighbour at number 4" not in response.content.decode()


def test_an_unknown_survey_has_no_results_page(client, council):
    assert client.get("/mootshire/surveys/nothing/results/").status_code == 404
