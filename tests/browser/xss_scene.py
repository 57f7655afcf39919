"""Every user-text field of Mootshire filled with the XSS corpus, for ``test_xss_corpus``.

Each payload of ``tests/fixtures/xss_payloads.txt`` goes into every field, one payload a
record (so 157 ideas are each titled and described with one payload, and so on). Records
are written through the domain verbs the forms and the API call (``ideas.domain``,
``petitions.domain``, ``accounts.residents.update_profile``, ...), not by the HTML forms
themselves: a form does no more than strip the text and hand it to the verb (both refuse
the same things), and sending ~2,500 forms would not fit the time a browser test may
take. What is checked is what the pages make of the stored text.

Each builder returns :class:`Check` rows: a page to load and the texts it must show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from moothall.accounts.models import Role, User
from moothall.accounts.residents import Eligibility, update_profile
from moothall.budgeting import domain as budgeting
from moothall.budgeting.models import Phase
from moothall.correspondence import domain as correspondence
from moothall.councils.models import Council
from moothall.deliberation import domain as deliberation
from moothall.ideas import domain as ideas
from moothall.ideas.models import Idea
from moothall.live import contributions
from moothall.live import domain as live
from moothall.meetings import domain as meetings
from moothall.moderation import domain as moderation
from moothall.petitions import domain as petitions
from moothall.surveys import domain as surveys
from tests import factories

PAYLOADS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "xss_payloads.txt"
POSTCODE = "MH1 1AA"
GROUP = 10
LONDON = ZoneInfo("Europe/London")
MEETS = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
LATER = dt.datetime(2030, 4, 18, 18, 30, tzinfo=LONDON)
TODAY = dt.date(2030, 3, 1)
DIVISION = "E58000301"


def payloads() -> list[str]:
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def plain(text: str) -> str:
    """``text`` as a browser's innerText shows it: runs of white space made one space."""
    return " ".join(text.split())


@dataclass
class Check:
    """Load ``path`` and find each of ``texts`` shown (the scene's list says as whom)."""

    label: str
    path: str
    texts: list[str] = field(default_factory=list)


@dataclass
class Scene:
    council: Council
    payloads: list[str]
    authors: list[User]
    checks: list[Check] = field(default_factory=list)
    staff_checks: list[Check] = field(default_factory=list)
    councillor_checks: list[Check] = field(default_factory=list)
    people: dict[str, User] = field(default_factory=dict)
    meeting: Any = None
    survey_questions: list[Any] = field(default_factory=list)


def people(council: Council, payloads: list[str]) -> list[User]:
    """MH1 1AA in ``council``, and one resident a payload whose name is that payload (set
    through the profile verb, as the profile form does)."""
    factories.PostcodeFactory(postcode=POSTCODE, county_gss=council.gss_code, division_gss=DIVISION)
    authors = []
    for n, payload in enumerate(payloads):
        user = factories.UserFactory(email=f"xss{n}@example.org")
        update_profile(user, name=payload, postcode=POSTCODE)
        user.refresh_from_db()
        authors.append(user)
    return authors


def with_ideas(scene: Scene, officer: Any) -> None:
    """An idea per payload (title and Markdown body), by the resident named with it; and
    one idea carrying a comment per payload, each by the resident named with it."""
    slug = scene.council.slug
    listed = []
    for author, payload in zip(scene.authors, scene.payloads, strict=True):
        idea = ideas.propose_idea(author, scene.council, title=payload, body=payload)
        listed.append(idea)
        scene.checks.append(Check("idea page", idea.get_absolute_url(), [plain(payload)]))
    host = ideas.propose_idea(
        scene.people["host"], scene.council, title="Comments host", body="Say anything."
    )
    for author, payload in zip(scene.authors, scene.payloads, strict=True):
        ideas.comment(author, host, body=payload)
    every = [plain(p) for p in scene.payloads]
    scene.checks.append(Check("ideas list", f"/{slug}/ideas/", every))
    scene.checks.append(Check("idea with a comment per payload", host.get_absolute_url(), every))
    scene.staff_checks.append(Check("staff ideas list", f"/{slug}/staff/ideas/", every))
    scene.staff_checks.append(
        Check("staff idea with comments", f"/{slug}/staff/ideas/{host.pk}/", [])
    )
    # Staff words on the first ideas, ten payloads each: a public response in the council's
    # name (Markdown) and the published reason for a change of status.
    for idea, group in zip(listed, groups(scene.payloads), strict=False):
        ideas.respond_to_idea(officer, idea, body=joined(group), as_council=True)
        ideas.set_idea_status(officer, idea, Idea.Status.UNDER_CONSIDERATION, reason=joined(group))
    for idea, payload in zip(listed[:3], scene.payloads, strict=False):
        scene.staff_checks.append(
            Check("staff idea page", f"/{slug}/staff/ideas/{idea.pk}/", [plain(payload)])
        )


def with_moderation(scene: Scene, moderator: Any) -> None:
    """Residents report the comments of :func:`with_ideas`, each with a payload as the note;
    the moderator hides the last ones with ten payloads as the explanation (shown in their
    place); comments and ideas held for a moderator, a payload each, fill the waiting page."""
    slug = scene.council.slug
    host = Idea.objects.get(council=scene.council, title="Comments host")
    comments = list(host.comments.order_by("id"))
    reporters = scene.authors[1:] + scene.authors[:1]  # never the author of the comment
    for reporter, comment, payload in zip(reporters, comments, scene.payloads, strict=True):
        moderation.flag(reporter, "idea_comment", comment, reason="other", note=payload)
    explained = [group for group in groups(scene.payloads) if len(joined(group)) < 1800][:3]
    for comment, group in zip(reversed(comments), explained, strict=False):
        moderation.hide(moderator, "idea_comment", comment, rule="other", explanation=joined(group))
    ideas.update_idea_settings(
        None, scene.council, premoderate_ideas=True, premoderate_comments=True
    )
    for author, payload in list(zip(scene.authors, scene.payloads, strict=True))[:GROUP]:
        ideas.comment(author, host, body=payload)
        ideas.propose_idea(author, scene.council, title=payload, body=payload)
    ideas.update_idea_settings(
        None, scene.council, premoderate_ideas=False, premoderate_comments=False
    )
    queue = f"/{slug}/staff/moderation/"
    scene.staff_checks.append(Check("moderation queue", queue, []))
    for comment, payload in zip(comments[:3], scene.payloads, strict=False):
        item = f"{queue}items/idea_comment/{comment.pk}/"
        scene.staff_checks.append(Check("moderation item", item, [plain(payload)]))
    waiting = [plain(p) for p in scene.payloads[:GROUP] if len(p) < 150]
    scene.staff_checks.append(Check("waiting to be checked", f"{queue}waiting/", waiting))
    scene.staff_checks.append(Check("moderation log", f"/{slug}/moderation-log/", []))


def with_petitions(scene: Scene, moderator: Any, officer: Any) -> None:
    """A petition per payload (title, action, Markdown background), published, the first
    with the officer's response (ten payloads each); and petitions rejected by the moderator
    with ten payloads a published reason."""
    slug = scene.council.slug
    petitions.update_petition_scheme(
        None, scene.council, sponsors_required=0, pre_moderation=True, duration_days=30
    )
    responses = groups(scene.payloads)
    for n, (author, payload) in enumerate(zip(scene.authors, scene.payloads, strict=True)):
        petition = petitions.start_petition(
            author, scene.council, title=payload, action=payload, background=payload
        )
        petitions.submit_petition(author, petition)
        petitions.moderate_petition(moderator, petition, publish=True)
        if n < len(responses):
            petitions.respond_to_petition(officer, petition, response=joined(responses[n]))
        scene.checks.append(Check("petition page", petition.get_absolute_url(), [plain(payload)]))
    for n, group in enumerate(groups(scene.payloads)):
        author = scene.authors[n]
        refused = petitions.start_petition(
            author, scene.council, title=f"Refused petition {n}", action="Do something."
        )
        petitions.submit_petition(author, refused)
        petitions.moderate_petition(moderator, refused, publish=False, reason_text=joined(group))
        scene.checks.append(
            Check("rejected petition page", refused.get_absolute_url(), [f"Refused petition {n}"])
        )
    every = [plain(p) for p in scene.payloads]
    scene.checks.append(Check("petitions list", f"/{slug}/petitions/", every))
    scene.staff_checks.append(Check("staff petitions list", f"/{slug}/staff/petitions/", every))


def groups(items: list[str], size: int = GROUP) -> list[list[str]]:
    return [items[n : n + size] for n in range(0, len(items), size)]


def joined(group: list[str]) -> str:
    """Several payloads in one text, each its own paragraph (Markdown block)."""
    return "\n\n".join(group)


SEARCHED = ("alert", "script", "onerror", "javascript", "iframe", "svg", "href")


def with_search(scene: Scene) -> None:
    """Site search for words of the payloads: titles and highlighted excerpts of what matched
    (a hundred results a page; the pages are loaded once every record is written)."""
    for word in SEARCHED:
        scene.checks.append(Check("search results", f"/search/?q={word}", ["__xss"]))


def with_meetings(scene: Scene, officer: Any) -> None:
    """A meeting whose agenda has an item per payload (title and description, by the clerk),
    published; and a question per payload from the resident named with it (name given as
    that payload too), which the clerk sees in the submissions queue."""
    slug = scene.council.slug
    body = meetings.create_body(officer, scene.council, name="Cabinet", kind="cabinet")
    agenda = meetings.create_meeting(officer, body, start=MEETS, venue="Moot Hall")
    for payload in scene.payloads:
        meetings.add_agenda_item(officer, agenda, title=payload, description=payload)
    meetings.publish_agenda(officer, agenda, now=MEETS - dt.timedelta(days=14))
    asked = meetings.create_meeting(officer, body, start=LATER, venue="Moot Hall")
    for author, payload in zip(scene.authors, scene.payloads, strict=True):
        meetings.submit_to_meeting(
            author, asked, kind="question", text=payload, display_name=payload, today=TODAY
        )
    every = [plain(p) for p in scene.payloads]
    scene.checks.append(Check("meeting agenda", f"/{slug}/meetings/{agenda.pk}/", every))
    scene.staff_checks.append(Check("staff meeting", f"/{slug}/staff/meetings/{agenda.pk}/", every))
    scene.staff_checks.append(
        Check("staff submissions queue", f"/{slug}/staff/meetings/submissions/", every)
    )
    scene.meeting = agenda


def with_live(scene: Scene, officer: Any) -> None:
    """The agenda's meeting goes live: a comment per payload from the resident named with it
    (published: post-moderation is the default), and a live blog post per payload (Markdown, the clerk)."""
    slug = scene.council.slug
    meeting = scene.meeting
    live.start_live(officer, meeting)
    for author, payload in zip(scene.authors, scene.payloads, strict=True):
        contributions.post_comment(author, meeting, text=payload)
    for payload in scene.payloads:
        live.post_blog(officer, meeting, text=payload)
    every = [plain(p) for p in scene.payloads]
    scene.checks.append(Check("live page", f"/{slug}/meetings/{meeting.pk}/live/", every))
    scene.staff_checks.append(
        Check("clerk's live console", f"/{slug}/staff/meetings/{meeting.pk}/live/", [])
    )
    scene.staff_checks.append(
        Check("live moderation", f"/{slug}/staff/meetings/live/moderation/", [])
    )


def with_deliberation(scene: Scene, officer: Any) -> None:
    """An open conversation: a statement per payload written by the resident named with it
    (each a participant), and a seed statement per payload from the officer."""
    slug = scene.council.slug
    conversation = deliberation.create_conversation(
        scene.council, by=officer, title="What should the park be for?"
    )
    # Duplicates are refused with case and spacing folded ("<SCRIPT>" is "<script>"), so
    # each statement ends with its number.
    for n, payload in enumerate(scene.payloads):
        deliberation.add_statement(
            conversation, text=f"{payload} (seed {n})", by=officer, is_seed=True
        )
    deliberation.open_conversation(conversation, by=officer)
    every = []
    for n, (author, payload) in enumerate(zip(scene.authors, scene.payloads, strict=True)):
        participant = deliberation.join(conversation, user=author)
        text = f"{payload} ({n})"
        deliberation.add_statement(conversation, text=text, author=participant)
        every.append(plain(text))
    staff = f"/{slug}/staff/deliberations/{conversation.pk}/"
    scene.staff_checks.append(Check("staff statements", staff + "statements/", every))
    scene.staff_checks.append(Check("staff statement moderation", staff + "moderation/", []))
    scene.checks.append(
        Check("conversation page", f"/{slug}/deliberations/{conversation.slug}/", [])
    )


def with_surveys(scene: Scene, officer: Any) -> None:
    """A draft survey per payload (title and summary, by the officer); one survey whose
    question texts and hints are the payloads, opened, with a paper response per payload
    whose written answers are payloads; then closed, results public."""
    slug = scene.council.slug
    for payload in scene.payloads:
        surveys.create_survey(scene.council, by=officer, title=payload, summary=payload)
    survey = surveys.create_survey(
        scene.council,
        by=officer,
        title="Parks survey",
        slug="parks-survey",
        answer_level=Eligibility.NONE,
        equality_monitoring=False,
    )
    for group in groups(scene.payloads, 50):
        survey_questions = [
            surveys.add_question(
                survey, by=officer, kind="long_text", text=payload, help_text=payload, page=1
            )
            for payload in group
        ]
        scene.survey_questions.extend(survey_questions)
    surveys.open_survey(survey, by=officer)
    for n, payload in enumerate(scene.payloads):
        question = scene.survey_questions[n]
        surveys.enter_paper_response(survey, by=officer, answers={question.pk: payload})
    surveys.close_survey(survey, by=officer)
    every = [plain(p) for p in scene.payloads]
    staff = f"/{slug}/staff/surveys/"
    scene.staff_checks.append(Check("staff surveys list", staff, every))
    scene.staff_checks.append(Check("staff survey", f"{staff}parks-survey/", every))
    scene.staff_checks.append(Check("staff survey results", f"{staff}parks-survey/results/", every))
    scene.checks.append(
        Check("public survey results", f"/{slug}/surveys/parks-survey/results/", [])
    )


def with_budgets(scene: Scene, officer: Any) -> None:
    """A process collecting ideas: a project per payload proposed by the resident named with
    it (title; the description holds ten payloads for the first projects, so every payload
    is in a description and a handful of project pages show them all)."""
    slug = scene.council.slug
    process = budgeting.create_process(
        officer, scene.council, title="Parks Fund 2030", summary="You decide."
    )
    budgeting.set_budget(officer, process, amount=100_000)
    process = budgeting.change_phase(officer, process, Phase.IDEAS)
    described = groups(scene.payloads)
    for n, (author, payload) in enumerate(zip(scene.authors, scene.payloads, strict=True)):
        project = budgeting.propose_project(
            author,
            process,
            title=payload,
            description=joined(described[n]) if n < len(described) else "A project.",
            cost_estimate=1_000,
        )
        if n < len(described):
            scene.checks.append(
                Check("budget project page", project.get_absolute_url(), [plain(payload)])
            )
            scene.staff_checks.append(
                Check(
                    "staff budget project",
                    f"/{slug}/staff/budgets/{process.pk}/projects/{project.pk}/",
                    [plain(payload)],
                )
            )
    every = [plain(p) for p in scene.payloads]
    scene.checks.append(
        Check("budget projects list", f"{process.get_absolute_url()}projects/", every)
    )
    scene.staff_checks.append(
        Check("staff budget projects", f"/{slug}/staff/budgets/{process.pk}/projects/", every)
    )


def with_letters(scene: Scene, councillor_user: Any) -> None:
    """A letter per payload (subject; the body holds ten payloads for the first letters) from
    the resident named with it to their division's councillor, who reads them signed in."""
    slug = scene.council.slug
    ward = factories.WardFactory(
        council=scene.council, name="Mootford North", slug="mootford-north", gss_code=DIVISION
    )
    # The seat ``councillor_user`` holds (tests/conftest.py), moved into the division.
    seat = Role.objects.get(
        user=councillor_user, council=scene.council, kind="councillor"
    ).councillor
    seat.ward = ward
    seat.save(update_fields=["ward"])
    bodies = groups(scene.payloads)
    for n, (author, payload) in enumerate(zip(scene.authors, scene.payloads, strict=True)):
        (message,) = correspondence.write_to_councillors(
            author,
            scene.council,
            [seat],
            subject=payload,
            body=joined(bodies[n]) if n < len(bodies) else "Please help.",
        )
        if n < len(bodies):
            scene.councillor_checks.append(
                Check("letter in the inbox", message.get_inbox_url(), [plain(payload)])
            )
    every = [plain(p) for p in scene.payloads]
    scene.councillor_checks.append(Check("inbox", f"/{slug}/messages/inbox/", every))


def build(council: Council, officer: Any, moderator: Any, councillor_user: Any) -> Scene:
    corpus = payloads()
    scene = Scene(council=council, payloads=corpus, authors=people(council, corpus))
    scene.people["host"] = factories.UserFactory(
        email="host@example.org", name="Hester Host", postcode=POSTCODE
    )
    with_ideas(scene, officer)
    with_moderation(scene, moderator)
    with_petitions(scene, moderator, officer)
    with_search(scene)
    with_meetings(scene, officer)
    with_live(scene, officer)
    with_deliberation(scene, officer)
    with_surveys(scene, officer)
    with_budgets(scene, officer)
    with_letters(scene, councillor_user)
    return scene
