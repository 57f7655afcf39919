"""What counts as an answer to each kind of question, and which questions are shown.

Conditions, required answers and each kind's checks, with hypothesis throwing anything at
``clean_answer``: it stores a well-formed value or says why not (``ValidationError``),
never anything else.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.surveys import domain, logic
from moothall.surveys.logic import clean_answer, visible_questions
from moothall.surveys.models import Kind
from tests.surveys.test_domain import (
    HILL_POSTCODE,
    MOOT_POSTCODE,
    OUTSIDE_POSTCODE,
    build_survey,
    setting,
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def survey_and_questions(council):
    place = setting(council)
    survey, q = build_survey(council, open_it=False)
    return survey, q, place


def refused(question, raw, council=None) -> str:
    with pytest.raises(ValidationError) as caught:
        clean_answer(question, raw, council=council)
    return caught.value.code


# --- Conditions -----------------------------------------------------------------------------


def visible(survey, answers) -> list[str]:
    return [q.text for q in visible_questions(survey, answers)]


def test_a_conditional_question_shows_only_for_its_answers(survey_and_questions):
    survey, q, _place = survey_and_questions

    never = visible(survey, {q["use"].pk: "never"})
    often = visible(survey, {q["use"].pk: "often"})
    nothing = visible(survey, {})

    assert "Why do you not use it?" in never
    assert "Why do you not use it?" not in often
    assert "Why do you not use it?" not in nothing
    assert len(never) == len(often) + 1 == 9


def test_multiple_choice_conditions_match_on_any_overlap(council, officer):
    survey, q = build_survey(council, open_it=False)
    lit = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="Where is it dark?",
        show_if_question=q["improve"],
        show_if_values=["lighting", "paths"],
    )

    shown = {
        tuple(choice): lit in visible_questions(survey, {q["improve"].pk: choice})
        for choice in (["toilets"], ["paths"], ["toilets", "lighting"], [])
    }

    assert shown == {
        ("toilets",): False,
        ("paths",): True,
        ("toilets", "lighting"): True,
        (): False,
    }


def test_ranking_conditions_match_on_the_first_choice(council, officer):
    survey, q = build_survey(council, open_it=False)
    nature = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="Which wildlife?",
        show_if_question=q["rank"],
        show_if_values=["nature"],
    )

    first = visible_questions(survey, {q["rank"].pk: ["nature", "safety", "cleanliness"]})
    second = visible_questions(survey, {q["rank"].pk: ["safety", "nature", "cleanliness"]})

    assert nature in first
    assert nature not in second


def test_a_question_behind_a_hidden_question_is_hidden_too(council, officer):
    survey, q = build_survey(council, open_it=False)
    how = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SINGLE_CHOICE,
        text="Would you come back?",
        options=["Yes", "No"],
        show_if_question=q["use"],
        show_if_values=["never"],
    )
    when = domain.add_question(
        survey,
        by=officer,
        kind=Kind.SHORT_TEXT,
        text="When?",
        show_if_question=how,
        show_if_values=["yes"],
    )

    # "Yes" was answered while "never" was chosen; "often" now hides both.
    answers = {q["use"].pk: "often", how.pk: "yes"}

    assert when not in visible_questions(survey, answers)
    assert when in visible_questions(survey, answers | {q["use"].pk: "never"})


# --- Each kind ------------------------------------------------------------------------------


def test_blank_answers_are_no_answer(survey_and_questions):
    _survey, q, _place = survey_and_questions

    blanks = [
        clean_answer(q[name], value)
        for name, value in [
            ("name", "   "),
            ("use", ""),
            ("improve", []),
            ("rank", ["", "", ""]),
            ("agree", {"the_park_is_safe": ""}),
            ("visits", None),
            ("postcode", " "),
        ]
    ]

    assert blanks == [None] * 7


def test_text_is_stripped_one_line_and_no_longer_than_allowed(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["name"], "  Rita  ") == "Rita"
    assert clean_answer(q["why_not"], "Too far\r\naway") == "Too far\naway"
    assert refused(q["name"], "Rita\nSmith") == "line_break"
    assert refused(q["name"], "x" * 21) == "too_long"
    assert refused(q["why_not"], "x" * 5001) == "too_long"
    assert refused(q["name"], "nul\x00") == "bad_characters"


def test_a_single_choice_is_one_of_its_keys(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["use"], "often") == "often"
    assert clean_answer(q["use"], ["never"]) == "never"
    assert refused(q["use"], "Often") == "invalid_choice"
    assert refused(q["use"], ["often", "never"]) == "invalid"


def test_multiple_choice_keeps_option_order_and_its_limit(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["improve"], ["lighting", "paths", "paths"]) == ["paths", "lighting"]
    assert clean_answer(q["improve"], "toilets") == ["toilets"]
    assert refused(q["improve"], ["paths", "toilets", "lighting"]) == "too_many"
    assert refused(q["improve"], ["paths", "swings"]) == "invalid_choice"


def test_a_ranking_is_every_option_once(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["rank"], ["nature", "safety", "cleanliness"]) == [
        "nature",
        "safety",
        "cleanliness",
    ]
    assert refused(q["rank"], ["nature", "nature", "safety"]) == "duplicate_rank"
    assert refused(q["rank"], ["nature", "safety", ""]) == "incomplete_ranking"
    assert refused(q["rank"], ["nature", "", "safety"]) == "incomplete_ranking"
    assert refused(q["rank"], ["nature", "safety"]) == "incomplete_ranking"
    assert refused(q["rank"], ["nature", "safety", "swings"]) == "invalid_choice"


def test_a_required_matrix_needs_every_row_and_an_optional_one_does_not(council, officer):
    survey, q = build_survey(council, open_it=False)
    optional = domain.add_question(
        survey, by=officer, kind=Kind.LIKERT, text="And?", options=["Row one", "Row two"]
    )

    assert clean_answer(q["agree"], {"the_park_is_safe": "agree", "the_park_is_clean": "agree"})
    half = clean_answer(q["agree"], {"the_park_is_safe": "agree"})
    assert half == {"the_park_is_safe": "agree"}
    assert logic.required_error(q["agree"], half).code == "incomplete_matrix"
    assert logic.required_error(optional, {"row_two": "agree"}) is None
    assert logic.required_error(q["agree"], None).code == "required"
    assert clean_answer(optional, {"row_two": "disagree"}) == {"row_two": "disagree"}
    assert refused(optional, {"row_three": "agree"}) == "invalid_row"
    assert refused(optional, {"row_one": "meh"}) == "invalid_choice"
    assert refused(optional, ["agree"]) == "invalid"


def test_a_number_is_a_decimal_within_its_range(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["visits"], "52") == "52"
    assert clean_answer(q["visits"], " 1,2 ") == "12"
    assert clean_answer(q["visits"], "3.50") == "3.5"
    assert clean_answer(q["visits"], 7) == "7"
    assert clean_answer(q["visits"], Decimal("0.0001")) == "0.0001"
    assert refused(q["visits"], "366") == "out_of_range"
    assert refused(q["visits"], "-1") == "out_of_range"
    assert refused(q["visits"], "1e3") == "invalid_number"
    assert refused(q["visits"], "NaN") == "invalid_number"
    assert refused(q["visits"], "twelve") == "invalid_number"
    assert refused(q["visits"], "1.00001") == "too_precise"
    assert refused(q["visits"], True) == "invalid"


def test_a_number_message_names_the_range(survey_and_questions):
    _survey, q, _place = survey_and_questions

    with pytest.raises(ValidationError) as caught:
        clean_answer(q["visits"], "400")

    assert caught.value.message % caught.value.params == "Enter a number from 0 to 365."


def test_a_ward_is_one_of_the_councils(survey_and_questions, other_council):
    _survey, q, place = survey_and_questions
    elsewhere = place.moot.__class__.objects.create(council=other_council, name="Far", slug="far")

    assert clean_answer(q["ward"], str(place.moot.pk)) == place.moot.pk
    assert clean_answer(q["ward"], place.hill.pk) == place.hill.pk
    assert refused(q["ward"], elsewhere.pk) == "invalid_ward"
    assert refused(q["ward"], "moot") == "invalid_ward"
    assert refused(q["ward"], "9" * 40) == "invalid_ward"


def test_a_postcode_is_valid_and_in_the_councils_area(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert clean_answer(q["postcode"], "mh11aa") == MOOT_POSTCODE
    assert clean_answer(q["postcode"], HILL_POSTCODE) == HILL_POSTCODE
    assert refused(q["postcode"], "not a postcode") == "invalid_postcode"
    assert refused(q["postcode"], OUTSIDE_POSTCODE) == "postcode_outside"
    assert refused(q["postcode"], "SW1A 1AA") == "postcode_outside"  # not in the directory


def test_missing_messages_say_what_to_do(survey_and_questions):
    _survey, q, _place = survey_and_questions

    assert [logic.missing_message(q[name]) for name in ("use", "improve", "rank", "agree")] == [
        "Select an answer.",
        "Select at least one answer.",
        "Put the options in order.",
        "Select an answer for every row.",
    ]


def test_answers_are_described_in_words(survey_and_questions):
    _survey, q, place = survey_and_questions

    assert logic.describe(q["rank"], ["nature", "safety", "cleanliness"]) == [
        "1. Nature",
        "2. Safety",
        "3. Cleanliness",
    ]
    assert logic.describe(q["agree"], {"the_park_is_safe": "agree"}) == ["The park is safe: Agree"]
    assert logic.describe(q["ward"], place.moot.pk) == ["Moot Ward"]
    assert logic.describe(q["use"], None) == []


# --- Anything at all ------------------------------------------------------------------------


def junk() -> st.SearchStrategy[object]:
    """What JSON (the API) or a form can carry, and then some."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(
            [
                "often",
                "never",
                "paths",
                "nature",
                "safety",
                "cleanliness",
                "agree",
                "the_park_is_safe",
                "1e999999",
                "-0",
                "٣",
                "\x00",
                "\ud800",
                "9" * 300,
                MOOT_POSTCODE,
            ]
        ),
        st.decimals(allow_nan=True, allow_infinity=True),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.dictionaries(
                st.one_of(st.text(max_size=20), st.sampled_from(["the_park_is_safe"])),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=10,
    )


@pytest.mark.parametrize(
    "name", ["use", "why_not", "name", "improve", "rank", "agree", "visits", "ward", "postcode"]
)
def test_anything_is_either_a_clean_answer_or_a_validation_error(survey_and_questions, name):
    survey, q, _place = survey_and_questions
    question = q[name]

    @FUZZ
    @given(raw=junk())
    def check(raw):
        try:
            value = clean_answer(question, raw, council=survey.council)
        except ValidationError as error:
            codes.append(error.code)
            return
        if value is None:
            return
        # What is stored is the kind's shape, and checking it again changes nothing.
        assert clean_answer(question, value, council=survey.council) == value

    codes: list[str | None] = []
    check()

    assert all(codes)  # every refusal carries a code the API can return
