"""The survey verbs: building, the lifecycle, answering page by page, paper responses.

The helpers at the top (``setting``, ``build_survey``) are imported by the other survey
tests of the answering side: a Mootshire with two wards and postcodes, and a survey of
every kind of question with a condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.core.models import AuditEntry
from moothall.councils.models import Council, Ward
from moothall.surveys import domain, logic
from moothall.surveys.domain import ABOUT_YOU_PAGE, CHECK_PAGE, StepRefused
from moothall.surveys.models import Answer, Kind, Question, Response, Status, Survey
from tests import factories

MOOT_POSTCODE = "MH1 1AA"
HILL_POSTCODE = "MH2 2BB"
OUTSIDE_POSTCODE = "EL9 9ZZ"


@dataclass
class Setting:
    council: Council
    moot: Ward
    hill: Ward


def setting(council: Council) -> Setting:
    """Two wards of ``council`` and a postcode in each (and one outside its area)."""
    moot = factories.WardFactory(
        council=council, name="Moot Ward", slug="moot-ward", gss_code="E05000001"
    )
    hill = factories.WardFactory(
        council=council, name="Hill Ward", slug="hill-ward", gss_code="E05000002"
    )
    factories.PostcodeFactory(
        postcode=MOOT_POSTCODE, county_gss=council.gss_code or "", ward_gss=moot.gss_code
    )
    factories.PostcodeFactory(
        postcode=HILL_POSTCODE, county_gss=council.gss_code or "", ward_gss=hill.gss_code
    )
    factories.PostcodeFactory(postcode=OUTSIDE_POSTCODE, county_gss="E99999999")
    return Setting(council=council, moot=moot, hill=hill)


def build_survey(
    council: Council, *, open_it: bool = True, **fields: Any
) -> tuple[Survey, dict[str, Question]]:
    """A survey of every kind of question, on three pages:

    1. ``use`` (single choice, required: often / sometimes / never), ``why_not`` (long
       text, required, shown only if ``use`` is "never"), ``name`` (short text);
    2. ``improve`` (multiple choice, at most 2), ``rank`` (ranking of three), ``agree``
       (a likert matrix of two rows, required);
    3. ``visits`` (number 0–365), ``ward`` (ward), ``postcode`` (postcode).
    """
    fields.setdefault("title", "Parks and open spaces")
    fields.setdefault("answer_level", Eligibility.NONE)
    survey = domain.create_survey(council, by=None, **fields)
    q: dict[str, Question] = {}
    q["use"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.SINGLE_CHOICE,
        text="How often do you use the park?",
        required=True,
        options=["Often", "Sometimes", "Never"],
        page=1,
    )
    q["why_not"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.LONG_TEXT,
        text="Why do you not use it?",
        required=True,
        show_if_question=q["use"],
        show_if_values=["never"],
        page=1,
    )
    q["name"] = domain.add_question(
        survey, by=None, kind=Kind.SHORT_TEXT, text="Your first name", max_length=20, page=1
    )
    q["improve"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.MULTIPLE_CHOICE,
        text="What should we improve?",
        options=["Paths", "Toilets", "Play areas", "Lighting"],
        max_choices=2,
        page=2,
    )
    q["rank"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.RANKING,
        text="Rank these in order of importance",
        options=["Safety", "Cleanliness", "Nature"],
        page=2,
    )
    q["agree"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.LIKERT,
        text="How much do you agree?",
        options=["The park is safe", "The park is clean"],
        required=True,
        page=2,
    )
    q["visits"] = domain.add_question(
        survey,
        by=None,
        kind=Kind.NUMBER,
        text="Visits last year",
        min_value=0,
        max_value=365,
        page=3,
    )
    q["ward"] = domain.add_question(survey, by=None, kind=Kind.WARD, text="Your ward", page=3)
    q["postcode"] = domain.add_question(
        survey, by=None, kind=Kind.POSTCODE, text="Your postcode", page=3
    )
    if open_it:
        domain.open_survey(survey, by=None)
    survey.refresh_from_db()
    return survey, q


def answer_everything(response: Response, q: dict[str, Question], place: Setting) -> None:
    """Fill every page of ``build_survey``'s survey with good answers."""
    assert domain.save_page(response, 1, {q["use"].pk: "often", q["name"].pk: "Rita"}) == []
    assert (
        domain.save_page(
            response,
            2,
            {
                q["improve"].pk: ["paths", "lighting"],
                q["rank"].pk: ["nature", "safety", "cleanliness"],
                q["agree"].pk: {"the_park_is_safe": "agree", "the_park_is_clean": "disagree"},
            },
        )
        == []
    )
    assert (
        domain.save_page(
            response,
            3,
            {q["visits"].pk: "52", q["ward"].pk: str(place.hill.pk), q["postcode"].pk: ""},
        )
        == []
    )


# --- Building -------------------------------------------------------------------------------


def test_a_new_survey_is_a_draft_with_a_slug_from_its_title(council, officer):
    survey = domain.create_survey(council, by=officer, title="Parks & open spaces 2027")

    assert survey.status == Status.DRAFT
    assert survey.slug == "parks-open-spaces-2027"
    assert survey.created_by == officer
    entry = AuditEntry.objects.get(action="surveys.survey_created")
    assert entry.actor == officer
    assert entry.target_id == str(survey.pk)


def test_two_surveys_with_one_title_get_different_slugs(council, officer):
    first = domain.create_survey(council, by=officer, title="Budget")
    second = domain.create_survey(council, by=officer, title="Budget")

    assert (first.slug, second.slug) == ("budget", "budget-2")


def test_a_given_slug_that_is_taken_is_refused(council, officer):
    domain.create_survey(council, by=officer, title="Budget", slug="budget")

    with pytest.raises(ValidationError) as caught:
        domain.create_survey(council, by=officer, title="Other", slug="budget")

    assert caught.value.error_dict["slug"][0].code == "slug_taken"


def test_the_builders_own_address_new_is_never_a_survey_slug(council, officer):
    survey = domain.create_survey(council, by=officer, title="New")
    assert survey.slug == "new-survey"

    with pytest.raises(ValidationError) as caught:
        domain.create_survey(council, by=officer, title="Other", slug="new")

    assert caught.value.error_dict["slug"][0].code == "slug_reserved"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "x" * 201}, "title", "too_long"),
        ({"title": "A", "answer_level": 7}, "answer_level", "invalid_level"),
        ({"title": "A", "opens_at": "tomorrow"}, "opens_at", "invalid_date"),
        ({"title": "A", "slug": "Not A Slug"}, "slug", "invalid_slug"),
    ],
)
def test_bad_survey_settings_are_refused_and_nothing_is_written(
    council, officer, fields, field, code
):
    with pytest.raises(ValidationError) as caught:
        domain.create_survey(council, by=officer, **fields)

    assert caught.value.error_dict[field][0].code == code
    assert not Survey.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_survey_must_close_after_it_opens(council, officer):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        domain.create_survey(
            council, by=officer, title="A", opens_at=now, closes_at=now - dt.timedelta(days=1)
        )

    assert caught.value.error_dict["closes_at"][0].code == "closes_before_opens"


def test_a_resident_cannot_create_a_survey(council, resident):
    with pytest.raises(StepRefused):
        domain.create_survey(council, by=resident, title="Mine")


def test_an_officer_of_another_council_cannot_create_a_survey_here(council, outsider):
    with pytest.raises(StepRefused):
        domain.create_survey(council, by=outsider, title="Theirs")


def test_options_given_as_labels_get_stable_keys(council, officer):
    survey = domain.create_survey(council, by=officer, title="A")

    question = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SINGLE_CHOICE,
        text="Pick",
        options=["Play areas", "Café & toilets", "Play areas!"],
    )

    assert question.options == [
        {"key": "play_areas", "label": "Play areas"},
        {"key": "cafe_toilets", "label": "Café & toilets"},
        {"key": "play_areas_2", "label": "Play areas!"},
    ]
    assert AuditEntry.objects.filter(action="surveys.question_added").count() == 1


def test_a_corrected_label_keeps_its_key_and_reordering_keeps_keys(council, officer):
    survey = domain.create_survey(council, by=officer, title="A")
    question = domain.add_question(
        survey, by=officer, kind=Kind.SINGLE_CHOICE, text="Pick", options=["Parks", "Roads"]
    )

    question = domain.update_question(question, by=officer, options=["Roads", "Parks", "Bins"])

    assert question.options == [
        {"key": "roads", "label": "Roads"},
        {"key": "parks", "label": "Parks"},
        {"key": "bins", "label": "Bins"},
    ]


def test_options_given_with_keys_keep_them(council, officer):
    survey = domain.create_survey(council, by=officer, title="A")

    question = domain.add_question(
        survey,
        by=officer,
        kind=Kind.MULTIPLE_CHOICE,
        text="Pick",
        options=[{"key": "a", "label": "First"}, {"key": "b", "label": "Second"}],
    )

    assert logic.option_keys(question.options) == ["a", "b"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "essay"}, "kind", "invalid_kind"),
        ({"kind": Kind.SINGLE_CHOICE, "options": ["Only one"]}, "options", "too_few_options"),
        ({"kind": Kind.SINGLE_CHOICE, "options": ["A", "a"]}, "options", "duplicate_option"),
        ({"kind": Kind.SINGLE_CHOICE, "options": "A, B"}, "options", "invalid_options"),
        (
            {"kind": Kind.SINGLE_CHOICE, "options": [{"key": "Bad Key", "label": "A"}, "B"]},
            "options",
            "invalid_key",
        ),
        ({"kind": Kind.NUMBER, "min_value": 10, "max_value": 5}, "max_value", "min_over_max"),
        ({"kind": Kind.NUMBER, "min_value": "ten"}, "min_value", "invalid_number"),
        (
            {"kind": Kind.MULTIPLE_CHOICE, "options": ["A", "B"], "max_choices": 3},
            "max_choices",
            "max_choices_over_options",
        ),
        ({"kind": Kind.LIKERT, "scale": ["Only"]}, "scale", "invalid_scale"),
        ({"kind": Kind.SHORT_TEXT, "page": 0}, "page", "out_of_range"),
        ({"kind": Kind.SHORT_TEXT, "text": ""}, "text", "required"),
    ],
)
def test_bad_questions_are_refused(council, officer, fields, field, code):
    survey = domain.create_survey(council, by=officer, title="A")
    fields.setdefault("text", "Question?")

    with pytest.raises(ValidationError) as caught:
        domain.add_question(survey, by=officer, **fields)

    assert caught.value.error_dict[field][0].code == code
    assert not Question.objects.exists()


def test_a_likert_question_gets_the_five_point_scale_and_itself_as_its_row(council, officer):
    survey = domain.create_survey(council, by=officer, title="A")

    question = domain.add_question(survey, by=officer, kind=Kind.LIKERT, text="Parks are safe")

    assert logic.option_keys(question.scale) == [
        "strongly_agree",
        "agree",
        "neither",
        "disagree",
        "strongly_disagree",
    ]
    assert question.options == [{"key": "answer", "label": "Parks are safe"}]


def test_settings_that_do_not_fit_the_kind_are_dropped(council, officer):
    survey = domain.create_survey(council, by=officer, title="A")

    question = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="Name",
        options=["A", "B"],
        min_value=3,
        max_choices=2,
    )

    assert (question.options, question.min_value, question.max_choices) == ([], None, None)


def test_a_condition_must_name_an_earlier_choice_question_and_its_answers(council, officer):
    survey, q = build_survey(council, open_it=False)

    with pytest.raises(ValidationError) as not_choice:
        domain.add_question(
            survey,
            by=officer,
            kind=Kind.SHORT_TEXT,
            text="More",
            show_if_question=q["name"],
            show_if_values=["Rita"],
        )
    with pytest.raises(ValidationError) as bad_value:
        domain.add_question(
            survey,
            by=officer,
            kind=Kind.SHORT_TEXT,
            text="More",
            show_if_question=q["use"],
            show_if_values=["always"],
        )
    with pytest.raises(ValidationError) as no_values:
        domain.add_question(
            survey, by=officer, kind=Kind.SHORT_TEXT, text="More", show_if_question=q["use"]
        )
    with pytest.raises(ValidationError) as later:
        domain.add_question(
            survey,
            by=officer,
            kind=Kind.SHORT_TEXT,
            text="Early",
            page=1,
            show_if_question=q["improve"],
            show_if_values=["paths"],
        )

    assert not_choice.value.error_dict["show_if_question"][0].code == "condition_not_choice"
    assert bad_value.value.error_dict["show_if_values"][0].code == "invalid_condition_value"
    assert no_values.value.error_dict["show_if_values"][0].code == "condition_values_required"
    assert later.value.error_dict["show_if_question"][0].code == "condition_not_earlier"


def test_a_condition_may_name_answers_by_label(council, officer):
    survey, q = build_survey(council, open_it=False)

    question = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="Which play area?",
        show_if_question=q["improve"],
        show_if_values=["Play areas"],
    )

    assert question.show_if_values == ["play_areas"]


def test_a_question_others_depend_on_cannot_be_removed_or_lose_the_answer(council, officer):
    _survey, q = build_survey(council, open_it=False)

    with pytest.raises(ValidationError) as removing:
        domain.remove_question(q["use"], by=officer)
    with pytest.raises(ValidationError) as dropping:
        domain.update_question(q["use"], by=officer, options=["Often", "Sometimes"])
    with pytest.raises(ValidationError) as retyping:
        domain.update_question(q["use"], by=officer, kind=Kind.SHORT_TEXT)

    assert removing.value.code == "has_dependants"
    assert dropping.value.error_dict["options"][0].code == "has_dependants"
    assert retyping.value.error_dict["kind"][0].code == "has_dependants"
    assert Question.objects.filter(pk=q["use"].pk).exists()


def test_removing_a_question_is_audited(council, officer):
    _survey, q = build_survey(council, open_it=False)

    domain.remove_question(q["why_not"], by=officer)
    domain.remove_question(q["use"], by=officer)

    assert not Question.objects.filter(pk__in=[q["use"].pk, q["why_not"].pk]).exists()
    assert AuditEntry.objects.filter(action="surveys.question_removed", actor=officer).count() == 2


def test_moving_a_question_swaps_it_within_a_page_and_crosses_page_breaks(council, officer):
    survey, q = build_survey(council, open_it=False)

    domain.move_question(q["rank"], by=officer, direction="up")  # swaps with improve
    domain.move_question(q["rank"], by=officer, direction="up")  # onto page 1, at the end
    order = [(question.text, question.page) for question in logic.questions_of(survey)][:5]

    assert order == [
        ("How often do you use the park?", 1),
        ("Why do you not use it?", 1),
        ("Your first name", 1),
        ("Rank these in order of importance", 1),
        ("What should we improve?", 2),
    ]
    assert AuditEntry.objects.filter(action="surveys.question_moved").count() == 2


def test_a_question_cannot_move_above_the_question_it_depends_on(council, officer):
    survey, q = build_survey(council, open_it=False)

    with pytest.raises(ValidationError) as caught:
        domain.move_question(q["why_not"], by=officer, direction="up")

    assert caught.value.error_dict["show_if_question"][0].code == "condition_not_earlier"
    assert [x.pk for x in logic.questions_of(survey)][:2] == [q["use"].pk, q["why_not"].pk]


def test_the_first_question_cannot_move_up(council, officer):
    _survey, q = build_survey(council, open_it=False)

    with pytest.raises(ValidationError) as caught:
        domain.move_question(q["use"], by=officer, direction="up")

    assert caught.value.code == "cannot_move"


# --- Lifecycle ------------------------------------------------------------------------------


def test_opening_needs_a_question(council, officer):
    survey = domain.create_survey(council, by=officer, title="Empty")

    with pytest.raises(ValidationError) as caught:
        domain.open_survey(survey, by=officer)

    assert caught.value.code == "no_questions"


def test_opening_and_closing_are_audited_and_dated(council, officer):
    survey, _q = build_survey(council, open_it=False)

    domain.open_survey(survey, by=officer)
    domain.close_survey(survey, by=officer)
    survey.refresh_from_db()

    assert survey.status == Status.CLOSED
    assert survey.opened_at is not None
    assert survey.closed_at is not None
    assert list(
        AuditEntry.objects.filter(actor=officer).order_by("id").values_list("action", flat=True)
    ) == ["surveys.survey_opened", "surveys.survey_closed"]


def test_a_closed_survey_is_never_reopened(council, officer):
    survey, _q = build_survey(council)
    domain.close_survey(survey, by=officer)

    with pytest.raises(ValidationError):
        domain.open_survey(survey, by=officer)
    with pytest.raises(ValidationError) as dates:
        domain.update_survey(survey, by=officer, closes_at=timezone.now() + dt.timedelta(days=9))

    assert dates.value.error_dict["closes_at"][0].code == "survey_not_draft"


def test_an_open_survey_changes_its_wording_and_dates_but_not_its_questions(council, officer):
    survey, q = build_survey(council)
    later = timezone.now() + dt.timedelta(days=30)

    domain.update_survey(survey, by=officer, title="Parks survey", closes_at=later)
    domain.update_question(
        q["use"],
        by=officer,
        text="How often do you go?",
        options=["A lot", "Now and then", "Never"],
    )
    with pytest.raises(ValidationError) as level:
        domain.update_survey(survey, by=officer, answer_level=Eligibility.VERIFIED_RESIDENT)
    with pytest.raises(ValidationError) as new_option:
        domain.update_question(q["use"], by=officer, options=["A lot", "Never", "Daily"])
    with pytest.raises(ValidationError) as adding:
        domain.add_question(survey, by=officer, kind=Kind.SHORT_TEXT, text="More?")

    survey.refresh_from_db()
    q["use"].refresh_from_db()
    assert (survey.title, survey.closes_at) == ("Parks survey", later)
    assert q["use"].options[0] == {"key": "often", "label": "A lot"}
    assert level.value.error_dict["answer_level"][0].code == "survey_not_draft"
    assert new_option.value.error_dict["options"][0].code == "survey_not_draft"
    assert adding.value.code == "survey_not_draft"
    assert AuditEntry.objects.get(action="surveys.survey_updated").details["changed"] == [
        "closes_at",
        "title",
    ]


def test_an_open_survey_cannot_be_given_a_closing_date_in_the_past(council, officer):
    survey, _q = build_survey(council)

    with pytest.raises(ValidationError) as caught:
        domain.update_survey(survey, by=officer, closes_at=timezone.now() - dt.timedelta(minutes=1))

    assert caught.value.error_dict["closes_at"][0].code == "closes_in_past"


def test_only_a_draft_is_deleted(council, officer):
    draft, _q = build_survey(council, open_it=False, title="Draft")
    live, _q2 = build_survey(council, title="Live")

    domain.delete_survey(draft, by=officer)
    with pytest.raises(ValidationError):
        domain.delete_survey(live, by=officer)

    assert list(Survey.objects.values_list("title", flat=True)) == ["Live"]
    assert AuditEntry.objects.filter(action="surveys.survey_deleted").count() == 1


# --- Answering ------------------------------------------------------------------------------


def test_a_signed_in_person_has_one_response_per_survey(council, resident):
    survey, _q = build_survey(council)

    first = domain.start_response(survey, user=resident)
    again = domain.start_response(survey, user=resident)

    assert first.pk == again.pk
    assert Response.objects.count() == 1


def test_people_not_signed_in_each_get_their_own_response(council):
    survey, _q = build_survey(council)

    first = domain.start_response(survey)
    second = domain.start_response(survey)

    assert first.pk != second.pk
    assert first.token != second.token


def test_answering_a_draft_or_closed_survey_is_refused(council, officer):
    draft, _q = build_survey(council, open_it=False, title="Draft")
    closed, _q2 = build_survey(council, title="Closed")
    domain.close_survey(closed, by=officer)

    with pytest.raises(StepRefused):
        domain.start_response(draft)
    with pytest.raises(StepRefused) as caught:
        domain.start_response(closed)

    assert caught.value.message == "This survey has closed."


def test_a_survey_past_its_closing_date_takes_no_more_answers(council):
    survey, q = build_survey(council, closes_at=timezone.now() + dt.timedelta(hours=1))
    response = domain.start_response(survey)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(StepRefused):
        domain.save_page(response, 1, {q["use"].pk: "often"})
    with pytest.raises(StepRefused):
        domain.submit_response(response)

    assert not Answer.objects.exists()


def test_a_page_is_all_or_nothing(council):
    survey, q = build_survey(council)
    response = domain.start_response(survey)

    errors = domain.save_page(response, 1, {q["use"].pk: "often", q["name"].pk: "x" * 21})

    assert [(e.field, e.code) for e in errors] == [(f"q{q['name'].pk}", "too_long")]
    assert not Answer.objects.exists()


def test_a_required_question_left_blank_is_an_error_unless_saving_for_later(council):
    survey, q = build_survey(council)
    response = domain.start_response(survey)

    errors = domain.save_page(response, 1, {q["use"].pk: "", q["name"].pk: "Rita"})
    saved = domain.save_page(
        response, 1, {q["use"].pk: "", q["name"].pk: "Rita"}, require=False, advance=False
    )

    assert [(e.question_id, e.code, e.message) for e in errors] == [
        (q["use"].pk, "required", "Select an answer.")
    ]
    assert saved == []
    response.refresh_from_db()
    assert response.current_page == 1
    assert domain.answers_of(response) == {q["name"].pk: "Rita"}


def test_a_condition_on_the_same_page_shows_its_question_on_the_next_render(council):
    survey, q = build_survey(council)
    response = domain.start_response(survey)

    first = domain.save_page(response, 1, {q["use"].pk: "never", q["name"].pk: ""})
    response.refresh_from_db()
    stays = response.current_page
    missing = domain.save_page(
        response, 1, {q["use"].pk: "never", q["why_not"].pk: "", q["name"].pk: ""}
    )
    done = domain.save_page(
        response, 1, {q["use"].pk: "never", q["why_not"].pk: "Too far", q["name"].pk: ""}
    )
    response.refresh_from_db()

    assert first == []
    assert stays == 1
    assert [e.question_id for e in missing] == [q["why_not"].pk]
    assert done == []
    assert response.current_page == 2
    assert domain.answers_of(response) == {q["use"].pk: "never", q["why_not"].pk: "Too far"}


def test_changing_an_answer_drops_the_answer_it_no_longer_shows(council):
    survey, q = build_survey(council)
    response = domain.start_response(survey)
    domain.save_page(response, 1, {q["use"].pk: "never", q["why_not"].pk: "Too far"})

    domain.save_page(response, 1, {q["use"].pk: "often", q["why_not"].pk: "Too far"})

    assert domain.answers_of(response) == {q["use"].pk: "often"}


def test_pages_run_on_to_about_you_and_check_your_answers(council):
    place = setting(council)
    survey, q = build_survey(council)
    response = domain.start_response(survey)

    answer_everything(response, q, place)
    response.refresh_from_db()
    at_about_you = response.current_page
    errors = domain.save_page(response, ABOUT_YOU_PAGE, {"age_band": "35_44", "sex": ""})
    response.refresh_from_db()

    assert at_about_you == ABOUT_YOU_PAGE
    assert errors == []
    assert response.current_page == CHECK_PAGE
    assert (response.age_band, response.sex) == ("35_44", "")


def test_a_bad_equality_answer_is_refused(council):
    survey, _q = build_survey(council)
    response = domain.start_response(survey)

    errors = domain.save_page(response, ABOUT_YOU_PAGE, {"ethnicity": "martian", "sex": "female"})

    assert [(e.field, e.code) for e in errors] == [("ethnicity", "invalid_choice")]
    response.refresh_from_db()
    assert response.sex == ""


def test_submitting_checks_every_required_question_and_sets_the_ward(council):
    place = setting(council)
    survey, q = build_survey(council)
    response = domain.start_response(survey)
    domain.save_page(response, 1, {q["use"].pk: "often"})

    with pytest.raises(ValidationError) as caught:
        domain.submit_response(response)
    answer_everything(response, q, place)
    sent = domain.submit_response(response)

    assert list(caught.value.error_dict) == [f"q{q['agree'].pk}"]
    assert sent.state == Response.State.SUBMITTED
    assert sent.submitted_at is not None
    assert sent.ward == place.hill


def test_submitting_discards_answers_to_questions_now_hidden(council):
    place = setting(council)
    survey, q = build_survey(council)
    response = domain.start_response(survey)
    answer_everything(response, q, place)
    # An answer stored while "never" was chosen, left behind by an older page.
    Answer.objects.create(response=response, question=q["why_not"], value="Too far")

    domain.submit_response(response)

    assert q["why_not"].pk not in domain.answers_of(response)


def test_the_ward_comes_from_the_postcode_answer_when_no_ward_is_given(council):
    place = setting(council)
    survey, q = build_survey(council)
    response = domain.start_response(survey)
    answer_everything(response, q, place)
    domain.save_page(response, 3, {q["ward"].pk: "", q["postcode"].pk: "mh11aa"})

    sent = domain.submit_response(response)

    assert sent.ward == place.moot
    assert domain.answers_of(sent)[q["postcode"].pk] == MOOT_POSTCODE


def test_a_sent_response_cannot_change_and_sending_again_does_nothing(council):
    place = setting(council)
    survey, q = build_survey(council)
    response = domain.start_response(survey)
    answer_everything(response, q, place)
    sent = domain.submit_response(response)

    again = domain.submit_response(response)
    with pytest.raises(ValidationError) as caught:
        domain.save_page(response, 1, {q["use"].pk: "never"})

    assert again.submitted_at == sent.submitted_at
    assert caught.value.code == "already_submitted"


def test_a_page_that_is_not_in_the_survey_is_refused(council):
    survey, _q = build_survey(council)
    response = domain.start_response(survey)

    with pytest.raises(ValidationError) as caught:
        domain.save_page(response, 7, {})

    assert caught.value.code == "no_such_page"


def test_pages_whose_questions_are_all_hidden_are_skipped(council, officer):
    survey = domain.create_survey(
        council,
        by=officer,
        title="Skip",
        equality_monitoring=False,
        answer_level=Eligibility.NONE,
    )
    first = domain.add_question(
        survey, by=officer, kind=Kind.SINGLE_CHOICE, text="Car?", options=["Yes", "No"], page=1
    )
    domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="Which car?",
        page=2,
        show_if_question=first,
        show_if_values=["yes"],
    )
    domain.add_question(survey, by=officer, kind=Kind.SHORT_TEXT, text="Anything else?", page=3)
    domain.open_survey(survey, by=officer)
    response = domain.start_response(survey)

    domain.save_page(response, 1, {first.pk: "no"})
    response.refresh_from_db()

    assert response.current_page == 3


# --- Paper ----------------------------------------------------------------------------------


def test_an_officer_enters_a_paper_response_with_conditions_applied(council, officer):
    place = setting(council)
    survey, q = build_survey(council)

    response = domain.enter_paper_response(
        survey,
        by=officer,
        answers={q["use"].pk: "often", q["why_not"].pk: "Too far", q["ward"].pk: place.moot.pk},
        equality={"age_band": "65_74", "sex": "prefer_not_to_say"},
    )

    assert response.channel == Response.Channel.PAPER
    assert response.state == Response.State.SUBMITTED
    assert response.entered_by == officer
    assert response.ward == place.moot
    assert (response.age_band, response.sex) == ("65_74", "prefer_not_to_say")
    assert domain.answers_of(response) == {q["use"].pk: "often", q["ward"].pk: place.moot.pk}
    assert AuditEntry.objects.get(action="surveys.paper_response_entered").actor == officer


def test_a_bad_paper_answer_writes_nothing(council, officer):
    survey, q = build_survey(council)

    with pytest.raises(ValidationError) as caught:
        domain.enter_paper_response(
            survey, by=officer, answers={q["use"].pk: "often", q["visits"].pk: "400"}, equality={}
        )

    assert list(caught.value.error_dict) == [f"q{q['visits'].pk}"]
    assert not Response.objects.exists()
    assert not AuditEntry.objects.filter(action="surveys.paper_response_entered").exists()


def test_an_empty_paper_or_another_survey_question_is_refused(council, officer):
    survey, _q = build_survey(council)
    _other, other_q = build_survey(council, title="Other")

    with pytest.raises(ValidationError) as empty:
        domain.enter_paper_response(survey, by=officer, answers={}, equality={})
    with pytest.raises(ValidationError) as foreign:
        domain.enter_paper_response(
            survey, by=officer, answers={other_q["use"].pk: "often"}, equality={}
        )

    assert empty.value.code == "empty"
    assert foreign.value.error_dict["answers"][0].code == "unknown_question"


def test_residents_and_moderators_cannot_enter_paper_responses(council, resident, moderator):
    survey, q = build_survey(council)

    for person in (resident, moderator):
        with pytest.raises(StepRefused):
            domain.enter_paper_response(survey, by=person, answers={q["use"].pk: "often"})


# --- Importing ------------------------------------------------------------------------------


def test_responses_gathered_elsewhere_are_imported_in_bulk_and_checked(council, officer):
    place = setting(council)
    survey, q = build_survey(council)
    sent = timezone.now() - dt.timedelta(days=2)

    made = domain.import_responses(
        survey,
        by=officer,
        rows=[
            domain.ImportedResponse(
                answers={
                    q["use"].pk: "never",
                    q["why_not"].pk: "Too far",
                    q["ward"].pk: place.hill.pk,
                },
                equality={"sex": "female"},
                submitted_at=sent,
            ),
            domain.ImportedResponse(answers={q["use"].pk: "often", q["why_not"].pk: "Dropped"}),
        ],
    )

    assert [r.channel for r in made] == [Response.Channel.ONLINE] * 2
    first, second = (Response.objects.get(pk=r.pk) for r in made)
    assert (first.ward, first.sex, first.submitted_at) == (place.hill, "female", sent)
    assert domain.answers_of(first)[q["why_not"].pk] == "Too far"
    assert domain.answers_of(second) == {q["use"].pk: "often"}
    assert AuditEntry.objects.get(action="surveys.responses_imported").details["count"] == 2


def test_one_bad_imported_response_refuses_them_all(council, officer):
    survey, q = build_survey(council)

    with pytest.raises(ValidationError) as caught:
        domain.import_responses(
            survey,
            by=officer,
            rows=[
                domain.ImportedResponse(answers={q["use"].pk: "often"}),
                domain.ImportedResponse(answers={q["use"].pk: "sometimes", q["visits"].pk: "-4"}),
            ],
        )

    assert caught.value.messages == ["Response 2: Enter a number from 0 to 365."]
    assert not Response.objects.exists()
