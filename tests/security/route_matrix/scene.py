"""The one scene every row of the matrix is requested against (built once per module).

Built from the existing scene builders where they fit:
- tests/public/area.py: Mootshire County Council ("mootshire", the scene's council) with the
  division Mootford North and its councillor Ada Lovelace; Lowdale District and Brookby
  Parish inside it; the postcode MH1 1AA.
- tests/browser/voice_scene.py: petitions at every stage (open with signatures, an abuse
  alert, a hearing linked to a decision, obligations; a draft and a waiting one by the
  resident), ideas (with a comment, responses, an agenda link), follows.
- tests/browser/live_scene.py: a live Cabinet meeting with a blog post, a comment and a
  photo, a held meeting with a recording, captions and a named speaker; here a paper on its
  exempt item.
- tests/deliberation/d1_scene.py: an open conversation with three statements, and a draft.
- tests/surveys/test_domain.py: an open survey of every kind of question (and a draft and a
  closed one).
Plus here: a participatory budget in voting (a proposed project by the resident, a costed
one, the resident's ballot, a paper ballot), one in delivery, one in draft, a letter from the resident to the councillor, meeting
records (a document, a decision, a vote, a submission by the resident, a forward-plan
entry), ward population figures, a saved search.

``s.users`` holds the eight roles of ``spec.ROLES`` (``anonymous`` is None). The resident
is the author of what residents wrote (draft petition, the budget proposal, the ballot,
the letter, the submission, the survey response, the saved search) so that author-only
routes have one allowed role.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from PIL import Image

from tests import factories

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


def _staff(council: Any, email: str, kind: str) -> Any:
    user = factories.UserFactory(email=email, name=email.split("@")[0].replace(".", " ").title())
    factories.RoleFactory(user=user, council=council, kind=kind)
    factories.give_mfa(user)
    return user


def build() -> SimpleNamespace:
    from tests.browser.voice_scene import build_voice_scene
    from tests.public.area import build_area

    s = SimpleNamespace()
    area = build_area()
    s.area = area
    s.council = council = area.county
    s.other_council = factories.CouncilFactory(
        name="Elsewhere District Council", short_name="Elsewhere", slug="elsewhere", tier="district"
    )
    resident = factories.UserFactory(
        email="rita.resident@example.org", name="Rita Resident", postcode="MH1 1AA"
    )
    councillor = factories.UserFactory(email="ada.lovelace@example.org", name="Ada Lovelace")
    factories.RoleFactory(user=councillor, council=council, kind="councillor", councillor=area.ada)
    cara = factories.UserFactory(email="cara.private@home.example", name="Cara Cole")
    factories.RoleFactory(user=cara, council=area.district, kind="councillor", councillor=area.cara)
    officer = _staff(council, "olive.officer@example.org", "officer")
    moderator = _staff(council, "morgan.moderator@example.org", "moderator")
    council_admin = _staff(council, "ada.admin@example.org", "council_admin")
    outsider = _staff(s.other_council, "otto.outsider@example.org", "officer")
    platform_admin = factories.UserFactory(
        email="pat.platform@example.org", is_staff=True, is_superuser=True
    )
    factories.give_mfa(platform_admin)
    s.users = {
        "anonymous": None,
        "resident": resident,
        "councillor": councillor,
        "officer": officer,
        "moderator": moderator,
        "council_admin": council_admin,
        "outsider": outsider,
        "platform_admin": platform_admin,
    }
    s.voice = build_voice_scene(
        area,
        resident=resident,
        officer=officer,
        moderator=moderator,
        councillor=councillor,
        cara=cara,
    )
    _meetings(s)
    _live(s)
    _ideas(s)
    _letters(s)
    _budgets(s)
    _surveys(s)
    _deliberation(s)
    _population_and_search(s)
    _roles(s)
    return s


def _meetings(s: SimpleNamespace) -> None:
    from moothall.meetings import domain as meetings
    from moothall.meetings.models import Membership, PublicSubmission

    v = s.voice
    s.body = v.full_council
    s.meeting = v.council_meeting
    s.item = meetings.add_agenda_item(None, s.meeting, title="Bin collections")
    meetings.publish_agenda(None, s.meeting)
    s.document = meetings.attach_document(
        None, s.council, data=PDF, title="Bins report", kind="report", agenda_item=s.item
    )
    s.decision = v.hearing.decision
    s.past_meeting = v.hearing.agenda_item.meeting
    s.membership = meetings.add_member(None, s.body, s.area.ada, start_date=dt.date(2022, 5, 5))
    assert isinstance(s.membership, Membership)
    s.submission = PublicSubmission.objects.create(
        meeting=s.meeting,
        submitter=s.users["resident"],
        display_name="Rita",
        kind="question",
        text="Why are the bins late?",
    )
    s.forward_plan_entry = meetings.add_forward_plan_entry(
        None,
        s.council,
        title="Library review",
        decision_maker="Cabinet",
        expected_date=timezone.localdate() + dt.timedelta(days=60),
    )


def _live(s: SimpleNamespace) -> None:
    from tests.browser.live_scene import build_live_scene, go_live_on_budget, news_from_the_meeting

    live = build_live_scene(s.council, officer=s.users["officer"], resident=s.users["resident"])
    go_live_on_budget(live)
    s.live = live
    s.blog_post, s.live_comment, s.live_media = news_from_the_meeting(live)
    s.recording = live.recording
    # A paper on an exempt item (Schedule 12A paragraph 3): never public.
    from moothall.meetings import domain as meetings

    s.exempt_document = meetings.attach_document(
        None, s.council, data=PDF, title="Valuation of the depot", kind="report",
        agenda_item=live.depot,
    )  # fmt: skip


def _ideas(s: SimpleNamespace) -> None:
    from moothall.ideas import domain as ideas

    # A new idea by the resident (author-only routes), with a picture.
    s.idea = s.voice.idea
    s.my_idea = ideas.propose_idea(
        s.users["resident"], s.council, title="A bin by the bus stop", body="Litter everywhere."
    )
    s.idea_image = ideas.add_image(
        s.users["resident"], s.my_idea, data=png(), alt_text="The bus stop"
    )
    s.idea_comment = s.voice.comment
    s.idea_link = s.voice.idea_link


def _letters(s: SimpleNamespace) -> None:
    from moothall.correspondence import domain as correspondence

    (message,) = correspondence.write_to_councillors(
        s.users["resident"],
        s.council,
        [s.area.ada],
        subject="Street lights",
        body="The street lights on Mill Lane are out.",
    )
    s.message = message


def _budgets(s: SimpleNamespace) -> None:
    from moothall.budgeting import domain as budgeting
    from moothall.budgeting.models import Phase

    process = budgeting.create_process(
        None, s.council, title="Community Chest 2027", summary="Decide how £100,000 is spent."
    )
    whole = budgeting.set_budget(None, process, amount=100_000)
    process = budgeting.change_phase(None, process, Phase.IDEAS)
    s.proposal = budgeting.propose_project(
        s.users["resident"],
        process,
        title="Benches in Moot Park",
        description="Six benches by the pond.",
        budget=whole,
        cost_estimate=8_000,
    )
    process = budgeting.change_phase(None, process, Phase.REVIEW)
    s.project = budgeting.add_project(
        None, process, title="Street trees", description="Trees.", cost=50_000, budget=whole
    )
    process = budgeting.change_phase(None, process, Phase.VOTING)
    s.ballot = budgeting.cast_ballot(s.users["resident"], whole, [s.project.pk])
    s.paper_ballot = budgeting.enter_paper_ballot(None, whole, [s.project.pk], reference="P1")
    s.process = process
    s.budget = whole

    # A second process, past voting: results published, the funded project in delivery.
    done = budgeting.create_process(
        None, s.council, title="Community Chest 2026", summary="Last year's chest."
    )
    done_budget = budgeting.set_budget(None, done, amount=10_000)
    done = budgeting.change_phase(None, done, Phase.IDEAS)
    done = budgeting.change_phase(None, done, Phase.REVIEW)
    s.funded = budgeting.add_project(
        None, done, title="Library books", description="Books.", cost=5_000, budget=done_budget
    )
    done = budgeting.change_phase(None, done, Phase.VOTING)
    budgeting.cast_ballot(s.users["resident"], done_budget, [s.funded.pk])
    done = budgeting.change_phase(None, done, Phase.RESULTS)
    s.done_process = budgeting.change_phase(None, done, Phase.DELIVERY)
    s.done_budget = done_budget
    s.draft_process = budgeting.create_process(
        None, s.council, title="Community Chest 2028", summary="Next year's chest."
    )


def _surveys(s: SimpleNamespace) -> None:
    from moothall.surveys import domain as surveys
    from tests.surveys.test_domain import build_survey

    s.survey, s.questions = build_survey(s.council)
    s.question = next(iter(s.questions.values()))
    s.survey_response = surveys.start_response(s.survey, user=s.users["resident"])
    s.draft_survey, _questions = build_survey(s.council, title="Libraries", open_it=False)
    s.closed_survey, _questions = build_survey(s.council, title="Bins and recycling")
    surveys.close_survey(s.closed_survey, by=None)


def _deliberation(s: SimpleNamespace) -> None:
    from tests.deliberation.d1_scene import conversation

    s.conversation = conversation(s.council)
    s.draft_conversation = conversation(s.council, status="draft", title="Our roads")
    s.statement = s.conversation.statements.first()


def _population_and_search(s: SimpleNamespace) -> None:
    from moothall.notifications.domain import unsubscribe_token
    from moothall.population.models import WardPopulation
    from moothall.search.models import SavedSearch

    WardPopulation.objects.create(
        council=s.council, ward=s.area.division, age_band="35_44", sex="female", count=900
    )
    s.saved_search = SavedSearch.objects.create(user=s.users["resident"], query="bins")
    s.subscription = s.voice.subscription
    s.unsubscribe_token = unsubscribe_token(s.subscription)


def _roles(s: SimpleNamespace) -> None:
    from moothall.accounts.models import ResidentVerification, Role

    s.officer_role = Role.objects.get(user=s.users["officer"], council=s.council)
    s.verification = ResidentVerification.objects.create(
        user=s.users["resident"], council=s.council, method="in_person", reason="Council tax bill"
    )
