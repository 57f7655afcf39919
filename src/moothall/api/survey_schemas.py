"""The shapes of surveys in the API: surveys, their questions, and their published results.

Field names are part of the public contract: keep them. As in ``schemas``, text nobody
filled in is ``null``, never ``""``; dates and times are ISO 8601; Markdown fields are given
as written. Choices, matrix rows and scale points are ``{"key", "label"}``: the key is what
answers and conditions refer to and never changes once the survey is open.

Only what the public may see reaches these schemas: a draft survey is never loaded, results
only once published, and written answers, postcodes and respondents never appear.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from django.urls import reverse
from ninja import Field, Schema

from moothall.api.meeting_schemas import _named_choices
from moothall.surveys import rules
from moothall.surveys.models import Kind, Question, Survey

if TYPE_CHECKING:
    QuestionKind: TypeAlias = str
else:
    QuestionKind = _named_choices("QuestionKind", Kind)

ANSWER_LEVELS = {
    0: "anyone",
    1: "email_verified",
    2: "postcode_in_area",
    3: "verified_resident",
}


def _text_or_none(value: str) -> str | None:
    return value or None


def results_published(survey: Survey) -> bool:
    """Are the results public (to nobody in particular) now?"""
    return rules.refusal(None, survey, rules.Step.SEE_RESULTS) is None


class LabelledOut(Schema):
    key: str
    label: str


class SurveyOut(Schema):
    slug: str
    title: str
    summary: str | None
    phase: str = Field(
        description="upcoming (opened, but its opening date is ahead), open or closed. A "
        "survey being prepared (draft) is never in the API."
    )
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    answer_level: str = Field(
        description="Who may answer online: anyone, email_verified, postcode_in_area or "
        "verified_resident."
    )
    results_public: bool = Field(description="The council publishes the results once it closes.")
    url: str = Field(description="The survey's page on this site (an absolute path).")
    api_url: str = Field(description="This survey in the API (an absolute path).")
    results_url: str | None = Field(
        description="Its results in the API (an absolute path), once published."
    )

    @staticmethod
    def resolve_summary(obj: Survey) -> str | None:
        return _text_or_none(obj.summary)

    @staticmethod
    def resolve_phase(obj: Survey) -> str:
        return str(rules.phase_of(obj))

    @staticmethod
    def resolve_answer_level(obj: Survey) -> str:
        return ANSWER_LEVELS.get(obj.answer_level, str(obj.answer_level))

    @staticmethod
    def resolve_url(obj: Survey) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_api_url(obj: Survey) -> str:
        return reverse("api:survey", kwargs={"slug": obj.council.slug, "survey_slug": obj.slug})

    @staticmethod
    def resolve_results_url(obj: Survey) -> str | None:
        if not results_published(obj):
            return None
        return reverse(
            "api:survey_results", kwargs={"slug": obj.council.slug, "survey_slug": obj.slug}
        )


class ConditionOut(Schema):
    question: int = Field(description="The id of the earlier choice question it depends on.")
    values: list[str] = Field(description="The option keys of that question that show this one.")


class QuestionOut(Schema):
    id: int
    number: int = Field(description="1, 2, … in the order asked.")
    page: int
    kind: QuestionKind = Field(
        description="short_text, long_text, single_choice, multiple_choice, ranking, likert "
        "(an agreement scale; a matrix when it has several rows), number, ward or postcode."
    )
    text: str
    help_text: str | None
    required: bool
    options: list[LabelledOut] = Field(
        description="Choice kinds: the answers to choose from. likert: the rows (statements)."
    )
    scale: list[LabelledOut] = Field(description="likert: the scale, from one end to the other.")
    min_value: float | None = Field(description="number: the smallest allowed.")
    max_value: float | None = Field(description="number: the largest allowed.")
    max_length: int | None = Field(description="Text: the longest answer, in characters.")
    max_choices: int | None = Field(description="multiple_choice: the most one may tick.")
    condition: ConditionOut | None = Field(
        description="Asked only when an earlier choice question is answered with one of "
        "these options (multiple choice: any of them ticked; ranking: ranked first)."
    )

    @staticmethod
    def resolve_help_text(obj: Question) -> str | None:
        return _text_or_none(obj.help_text)

    @staticmethod
    def resolve_min_value(obj: Question) -> float | None:
        return None if obj.min_value is None else float(obj.min_value)

    @staticmethod
    def resolve_max_value(obj: Question) -> float | None:
        return None if obj.max_value is None else float(obj.max_value)

    @staticmethod
    def resolve_condition(obj: Question) -> dict[str, Any] | None:
        if obj.show_if_question_id is None:
            return None
        return {"question": obj.show_if_question_id, "values": list(obj.show_if_values)}


class SurveyDetailOut(SurveyOut):
    description: str | None = Field(description="In Markdown.")
    equality_monitoring: bool = Field(
        description="Ends with the equality-monitoring questions (age band, sex, disability, "
        "ethnic group, each with prefer_not_to_say)."
    )
    questions: list[QuestionOut]

    @staticmethod
    def resolve_description(obj: Survey) -> str | None:
        return _text_or_none(obj.description)

    @staticmethod
    def resolve_questions(obj: Survey) -> list[Question]:
        return obj.public_questions  # type: ignore[attr-defined]


# --- Results --------------------------------------------------------------------------------


class OptionResultOut(Schema):
    key: str
    label: str
    count: int | None = Field(
        description="People who chose it (ward questions: null when suppressed)."
    )
    share: float | None = Field(description="Of the people who answered the question, 0 to 1.")
    weighted_share: float | None = Field(
        description="The share weighted to the population; null when fewer than 10 weighted "
        "people are behind it, or no population figures are loaded."
    )


class RankResultOut(Schema):
    key: str
    label: str
    points: int = Field(description="Borda points: ranked first of n options scores n - 1, last 0.")
    mean_position: float | None = Field(description="1 = first, among those who ranked it.")
    ranked_by: int
    weighted_points: float | None = Field(
        description="Mean points per person, weighted to the population."
    )


class RowResultOut(Schema):
    key: str
    label: str
    answered: int
    counts: dict[str, int] = Field(description="People per scale key.")
    weighted_shares: dict[str, float | None] = Field(description="Per scale key, 0 to 1.")


class BinOut(Schema):
    low: float
    high: float
    count: int


class NumbersOut(Schema):
    count: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    weighted_mean: float | None
    bins: list[BinOut]


class QuestionResultOut(Schema):
    question: int
    number: int
    kind: QuestionKind
    text: str
    answered: int = Field(
        description="People who answered it (others were not asked, or skipped it)."
    )
    withheld: bool = Field(
        description="Fewer than 10 people answered: no figures are published for it."
    )
    options: list[OptionResultOut] | None = Field(
        None, description="single_choice, multiple_choice and ward questions."
    )
    ranking: list[RankResultOut] | None = Field(None, description="ranking: most points first.")
    scale: list[LabelledOut] | None = Field(None, description="likert.")
    rows: list[RowResultOut] | None = Field(None, description="likert: one per statement.")
    numbers: NumbersOut | None = Field(None, description="number.")


class SurveyResultsOut(Schema):
    survey: SurveyOut
    responses: int = Field(description="Responses sent (online and on paper).")
    online: int
    paper: int
    weighted: bool = Field(
        description="Whether weighted figures could be made (population figures loaded, at "
        "least 10 respondents whose ward, age band or sex is known)."
    )
    questions: list[QuestionResultOut] = Field(
        description="Every question in order. Written answers and postcodes are never "
        "published: for them only `answered` is given."
    )
