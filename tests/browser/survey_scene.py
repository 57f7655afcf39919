"""Surveys to answer in a real browser (``test_survey_answering``), at Mootshire.

- ``parks``: "Parks and open spaces", open to anyone, with a question of every kind on
  three pages and the equality block (``tests.surveys.test_domain.build_survey``): on
  page 1 a required "Why do you not use it?" appears only after "Never" is chosen and
  the page sent;
- for the pages of every phase (``with_every_phase``): "Libraries" (opening in three
  days), "Allotments" (open, for signed-in people with a verified email) and "Bins and
  recycling" (closed, with 12 paper responses and ward population figures, so its
  results have charts and weighting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from moothall.accounts.residents import Eligibility
from moothall.councils.models import Council
from moothall.population.models import WardPopulation
from moothall.surveys import domain
from moothall.surveys.models import Question, Response, Survey
from tests.surveys.test_domain import MOOT_POSTCODE, Setting, build_survey, setting

PUBLIC = "/mootshire/surveys/"
STAFF = "/mootshire/staff/surveys/"

__all__ = ["MOOT_POSTCODE", "PUBLIC", "STAFF", "SurveyScene"]


@dataclass
class SurveyScene:
    council: Council
    place: Setting
    parks: Survey
    q: dict[str, Question]
    others: dict[str, Survey] = field(default_factory=dict)

    def url(self, survey: Survey | None = None) -> str:
        """The public page of ``survey`` (default: parks)."""
        return f"{PUBLIC}{(survey or self.parks).slug}/"

    def answer_url(self, response: Response, tail: str = "") -> str:
        return f"{PUBLIC}{response.survey.slug}/answer/{response.token}/{tail}"

    def name(self, key: str) -> str:
        """The form field name (and first input's id) of parks' question ``key``."""
        return f"q{self.q[key].pk}"


def build_survey_scene(council: Council) -> SurveyScene:
    place = setting(council)
    parks, q = build_survey(council)
    return SurveyScene(council=council, place=place, parks=parks, q=q)


def with_every_phase(scene: SurveyScene) -> SurveyScene:
    council = scene.council
    upcoming, _q = build_survey(
        council, title="Libraries", opens_at=timezone.now() + dt.timedelta(days=3)
    )
    members, _q = build_survey(council, title="Allotments", answer_level=Eligibility.EMAIL_VERIFIED)
    bins, q = build_survey(council, title="Bins and recycling")
    for ward in (scene.place.moot, scene.place.hill):
        for sex in ("female", "male"):
            WardPopulation.objects.create(
                council=council, ward=ward, age_band="35_44", sex=sex, count=900
            )
    for n in range(12):
        domain.enter_paper_response(
            bins,
            by=None,
            answers={
                q["use"].pk: ("often", "sometimes", "never")[n % 3],
                q["why_not"].pk: "Too far" if n % 3 == 2 else "",
                q["improve"].pk: ["paths", "toilets"] if n % 2 else ["lighting"],
                q["rank"].pk: ["safety", "nature", "cleanliness"]
                if n % 2
                else ["nature", "safety", "cleanliness"],
                q["agree"].pk: {"the_park_is_safe": "agree", "the_park_is_clean": "disagree"},
                q["visits"].pk: str(n * 3),
                q["ward"].pk: str((scene.place.moot if n % 2 else scene.place.hill).pk),
            },
            equality={"age_band": "35_44", "sex": "female" if n % 2 else "male"},
        )
    domain.close_survey(bins, by=None)
    scene.others = {"upcoming": upcoming, "members": members, "closed": bins}
    return scene
