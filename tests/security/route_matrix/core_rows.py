"""Rows for the site's own routes (routes helper R). See spec.py for the format.

Moderation, privacy and audit routes are in m_rows.py, p_rows.py and a_rows.py (their
helpers' own files). ``c(...)`` builds kwargs: the council's slug plus attribute paths of
the scene, e.g. ``c(pk="meeting.pk")``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from moothall.accounts.rules import Action
from tests.security.route_matrix.spec import ANYONE, NOBODY, SIGNED_IN, Row, only, staff


def c(**paths: str) -> Callable[[Any], Mapping[str, Any]]:
    """kwargs ``{"council": <scene council slug>, name: <scene attribute path>, ...}``."""

    def kwargs(s: Any) -> Mapping[str, Any]:
        found: dict[str, Any] = {"council": s.council.slug}
        for name, path in paths.items():
            found[name] = operator.attrgetter(path)(s)
        return found

    return kwargs


def k(**paths: str) -> Callable[[Any], Mapping[str, Any]]:
    """kwargs from scene attribute paths only (routes without a council)."""
    return lambda s: {name: operator.attrgetter(path)(s) for name, path in paths.items()}


RESIDENT = only("resident")
COUNCILLOR = only("councillor")
MEETINGS = staff(Action.MANAGE_MEETINGS)
VOICE = staff(Action.MANAGE_VOICE)
MODERATE = staff(Action.MODERATE)
BUDGETS = staff(Action.MANAGE_BUDGETS)
CONSULT = staff(Action.MANAGE_CONSULTATIONS)
STAFF_AREA = staff(Action.VIEW_STAFF_AREA)
RESPONDERS = VOICE | {"councillor"}  # rules.can_respond_publicly


def form(name: str, kwargs: Any, who: Any, **extra: Any) -> Row:
    """A page with a form: GET and POST for the same roles."""
    return Row(name, kwargs=kwargs, get=who, post=who, **extra)


def action(name: str, kwargs: Any, who: Any, **extra: Any) -> Row:
    """A button: POST only."""
    return Row(name, kwargs=kwargs, post=who, **extra)


MEETING = c(meeting_id="meeting.pk")
LIVE = c(pk="live.meeting.pk")
REC = c(pk="live.held.pk", rec_id="recording.pk")
IDEA = c(idea_id="idea.pk")
PETITION = c(petition_id="voice.library.pk")
PROCESS = c(process_id="process.pk")
PROJECT = c(process_id="process.pk", project_id="project.pk")
SURVEY = c(slug="survey.slug")
CONV = c(conversation_id="conversation.pk")
ANSWER = c(slug="survey.slug", token="survey_response.token")
RESIDENT_ID = lambda s: {"council": s.council.slug, "user_id": s.users["resident"].pk}  # noqa: E731
# A survey response started by the signed-in resident: its secret link opens it for whoever
# holds it while not signed in ("save and come back later" is for anyone), but not for
# another signed-in person (surveys' _response): 404 for them.
TOKEN_HOLDER = only("anonymous", "resident")
TOKEN_NOTE = "the response's secret link; someone else signed in gets 404"
READ_ONLY_POST = "answers POST as GET (the same public document); writes nothing"
SIGN_IN_PAGE = "the page is public and asks people to sign in; the form needs an account"

SITE = [
    Row("public:home", get=ANYONE),
    Row("public:your_councils", get=ANYONE, ok=(200, 302), note="302 home without a postcode"),
    Row("public:councils", get=ANYONE),
    Row("public:council", kwargs=c(), get=ANYONE),
    Row("public:council_brand", kwargs=c(), get=ANYONE),
    Row("public:ward", kwargs=c(ward="area.division.slug"), get=ANYONE),
    Row("public:council_councillors", kwargs=c(), get=ANYONE),
    Row("public:councillor", kwargs=c(pk="area.ada.pk", slug="area.ada.person.slug"), get=ANYONE),
    Row("accounts:profile", get=SIGNED_IN, post=SIGNED_IN, data={"name": "Someone"}),
    Row("set_language", get=ANYONE, post=ANYONE, data={"language": "en", "next": "/"}, ok=(302,)),
    Row("sitemap", get=ANYONE, post=ANYONE, no_writes=True, note=READ_ONLY_POST),
    Row("search:search", get=ANYONE),
    Row("search:save", post=SIGNED_IN, data={"q": "bins"}),
    Row("search:saved", get=SIGNED_IN),
    action("search:delete_saved", k(pk="saved_search.pk"), RESIDENT),
    Row("notifications:preferences", get=SIGNED_IN),
    action("notifications:default_frequency", lambda s: {}, SIGNED_IN, data={"frequency": "daily"}),
    action("notifications:pause", lambda s: {}, SIGNED_IN),
    action(
        "notifications:frequency", k(pk="subscription.pk"), RESIDENT, data={"frequency": "weekly"}
    ),
    action("notifications:stop", k(pk="subscription.pk"), RESIDENT),
    action(
        "notifications:follow",
        k(kind="voice.idea._meta.model_name", object_id="idea.pk"),
        SIGNED_IN,
    ),
    action(
        "notifications:unfollow",
        k(kind="voice.idea._meta.model_name", object_id="idea.pk"),
        SIGNED_IN,
    ),
    Row(
        "notifications:unsubscribe",
        kwargs=k(token="unsubscribe_token"),
        get=ANYONE,
        post=ANYONE,
        note="a signed token is the capability",
    ),
]

MEETINGS_PUBLIC = [
    Row("public:meetings", kwargs=c(), get=ANYONE),
    Row("public:council_ical", kwargs=c(), get=ANYONE),
    Row("public:meeting", kwargs=c(pk="meeting.pk"), get=ANYONE),
    form("public:meeting_take_part", c(pk="meeting.pk"), SIGNED_IN),
    Row("public:bodies", kwargs=c(), get=ANYONE),
    Row("public:body", kwargs=c(body="body.slug"), get=ANYONE),
    Row("public:body_ical", kwargs=c(body="body.slug"), get=ANYONE),
    Row("public:decisions", kwargs=c(), get=ANYONE),
    Row("public:decisions_csv", kwargs=c(), get=ANYONE),
    Row("public:votes_csv", kwargs=c(), get=ANYONE),
    Row("public:decision", kwargs=c(pk="decision.pk"), get=ANYONE),
    Row("public:forward_plan", kwargs=c(), get=ANYONE),
    Row("public:document", kwargs=c(pk="document.pk"), get=ANYONE),
    Row("public:document_file", kwargs=c(pk="document.pk"), get=ANYONE),
    Row(
        "public:feed_meetings",
        kwargs=c(),
        get=ANYONE,
        post=ANYONE,
        no_writes=True,
        note=READ_ONLY_POST,
    ),
    Row(
        "public:feed_decisions",
        kwargs=c(),
        get=ANYONE,
        post=ANYONE,
        no_writes=True,
        note=READ_ONLY_POST,
    ),
    Row(
        "public:feed_documents",
        kwargs=c(),
        get=ANYONE,
        post=ANYONE,
        no_writes=True,
        note=READ_ONLY_POST,
    ),
    Row("public:live", kwargs=c(pk="live.meeting.pk"), get=ANYONE),
    action("public:live_comment", c(pk="live.meeting.pk"), SIGNED_IN, data={"text": "Hello"}),
    action("public:live_upload", c(pk="live.meeting.pk"), SIGNED_IN),
    Row("public:live_events", kwargs=c(pk="live.meeting.pk"), get=ANYONE),
    Row(
        "public:live_media_file",
        kwargs=c(pk="live.meeting.pk", media_id="live_media.pk"),
        get=ANYONE,
    ),
    Row(
        "public:live_blog_photo", kwargs=c(pk="live.meeting.pk", post_id="blog_post.pk"), get=ANYONE
    ),
    Row("public:recording", kwargs=c(pk="live.held.pk", rec_id="recording.pk"), get=ANYONE),
    Row(
        "public:recording_file",
        kwargs=c(pk="live.held.pk", rec_id="recording.pk"),
        get=ANYONE,
        ok=(404,),
        note="the scene's recording is a link to a webcast, no file: 404 for everyone",
    ),
]

IDEAS_PUBLIC = [
    Row("public:ideas", kwargs=c(), get=ANYONE),
    form("public:idea_new", c(), SIGNED_IN),
    Row("public:idea_short", kwargs=c(pk="idea.pk"), get=ANYONE, ok=(301, 302)),
    Row("public:idea", kwargs=c(pk="idea.pk", slug="idea.slug"), get=ANYONE),
    form("public:idea_edit", c(pk="my_idea.pk"), RESIDENT),
    action("public:idea_support", c(pk="idea.pk"), SIGNED_IN),
    action("public:idea_comment", c(pk="idea.pk"), SIGNED_IN, data={"body": "Me too"}),
    action("public:idea_respond", c(pk="idea.pk"), RESPONDERS, data={"body": "We will look."}),
    form("public:idea_image_new", c(pk="my_idea.pk"), RESIDENT),
    Row(
        "public:idea_image",
        kwargs=c(pk="my_idea.pk", image_id="idea_image.pk", extension="idea_image.extension"),
        get=ANYONE,
    ),
]

PETITIONS_PUBLIC = [
    Row("public:petitions", kwargs=c(), get=ANYONE),
    Row("public:petition_scheme", kwargs=c(), get=ANYONE),
    form("public:petition_new", c(), SIGNED_IN),
    Row("public:petition", kwargs=c(pk="voice.library.pk", slug="voice.library.slug"), get=ANYONE),
    form("public:petition_edit", c(pk="voice.draft.pk"), RESIDENT),
    action("public:petition_submit", c(pk="voice.draft.pk"), RESIDENT),
    action(
        "public:petition_sign", c(pk="voice.library.pk"), ANYONE, note="signing needs no account"
    ),
    Row("public:petition_signed", kwargs=c(pk="voice.library.pk"), get=ANYONE),
    form("public:petition_sponsor", c(token="voice.draft.sponsor_token"), ANYONE, note="token"),
    Row("public:petition_confirm", kwargs=c(token="voice.pending.token"), get=ANYONE, note="token"),
    form("public:petition_withdraw", c(token="voice.signed.token"), ANYONE, note="token"),
    form("public:petition_stop_updates", c(token="voice.signed.token"), ANYONE, note="token"),
    Row("public:obligations", kwargs=c(), get=ANYONE),
    Row("public:you_said_we_did", kwargs=c(), get=ANYONE),
    Row("public:population_petition", kwargs=c(pk="voice.library.pk"), get=ANYONE),
]

LETTERS_PUBLIC = [
    Row(
        "public:correspondence_write",
        kwargs=c(ward="area.division.slug"),
        get=ANYONE,
        post=RESIDENT,
        note="the page says who may write; writing needs a postcode in the ward (403 else)",
    ),
    Row("public:correspondence_messages", kwargs=c(), get=SIGNED_IN),
    Row("public:correspondence_sent", kwargs=c(group="message.group_id"), get=RESIDENT),
    form("public:correspondence_message", c(pk="message.pk"), RESIDENT),
    Row("public:correspondence_inbox", kwargs=c(), get=COUNCILLOR),
    form("public:correspondence_inbox_message", c(pk="message.pk"), COUNCILLOR),
    action("public:correspondence_inbox_block", c(pk="message.pk"), COUNCILLOR),
    form("public:correspondence_reply", c(token="message.token"), ANYONE, note="token"),
    action("public:correspondence_reply_block", c(token="message.token"), ANYONE, note="token"),
]

BUDGETS_PUBLIC = [
    Row("public:budget_processes", kwargs=c(), get=ANYONE),
    Row("public:budget_process", kwargs=c(slug="process.slug"), get=ANYONE),
    Row("public:budget_projects", kwargs=c(slug="process.slug"), get=ANYONE),
    Row(
        "public:budget_project_new",
        kwargs=c(slug="process.slug"),
        get=ANYONE,
        post=SIGNED_IN,
        no_writes=True,
        note="proposing is closed in voting: the page says so, nothing is written",
    ),
    Row("public:budget_project", kwargs=c(slug="process.slug", pk="project.pk"), get=ANYONE),
    form("public:budget_project_edit", c(slug="process.slug", pk="proposal.pk"), RESIDENT),
    form("public:budget_project_withdraw", c(slug="process.slug", pk="proposal.pk"), RESIDENT),
    Row(
        "public:budget_project_image",
        kwargs=c(
            slug="process.slug", pk="project.pk", image_id="project.pk", extension="project.pk"
        ),
        get=NOBODY,
        note="no picture in the scene: 404 for everyone",
    ),
    Row("public:budget_vote_start", kwargs=c(slug="process.slug"), get=ANYONE),
    Row(
        "public:budget_ballot",
        kwargs=c(slug="process.slug", budget_id="budget.pk"),
        get=ANYONE,
        post=SIGNED_IN,
        note="the ballot page is public (it says to sign in); casting needs an account",
    ),
    Row(
        "public:budget_ballot_done",
        kwargs=c(slug="process.slug", budget_id="budget.pk"),
        get=SIGNED_IN,
        ok=(200, 302),
        note="someone without a ballot is sent to the ballot",
    ),
    Row(
        "public:budget_ballot_total",
        kwargs=c(slug="process.slug", budget_id="budget.pk"),
        post=ANYONE,
        no_writes=True,
        note="adds up a ballot's choices for the page; stores nothing",
    ),
    Row(
        "public:budget_ballot_withdraw",
        kwargs=c(slug="process.slug", budget_id="budget.pk"),
        get=SIGNED_IN,
        post=SIGNED_IN,
        note="withdraws the caller's own ballot (someone without one is told so)",
    ),
    Row("public:budget_results", kwargs=c(slug="done_process.slug"), get=ANYONE),
    Row(
        "public:budget_result",
        kwargs=c(slug="done_process.slug", budget_id="done_budget.pk"),
        get=ANYONE,
    ),
    Row("public:budget_delivery", kwargs=c(slug="done_process.slug"), get=ANYONE),
]

CONSULTATIONS_PUBLIC = [
    Row("public:surveys", kwargs=c(), get=ANYONE),
    Row("public:survey", kwargs=c(slug="survey.slug"), get=ANYONE),
    action("public:survey_start", c(slug="survey.slug"), ANYONE),
    Row("public:survey_resume", kwargs=ANSWER, get=TOKEN_HOLDER, ok=(302,), note=TOKEN_NOTE),
    form("public:survey_page", lambda s: {**ANSWER(s), "page": 1}, TOKEN_HOLDER, note=TOKEN_NOTE),
    form("public:survey_about_you", ANSWER, TOKEN_HOLDER, note=TOKEN_NOTE),
    form("public:survey_check", ANSWER, TOKEN_HOLDER, note=TOKEN_NOTE),
    Row("public:survey_saved", kwargs=ANSWER, get=TOKEN_HOLDER, note=TOKEN_NOTE),
    Row(
        "public:survey_done",
        kwargs=ANSWER,
        get=TOKEN_HOLDER,
        ok=(302,),
        note=TOKEN_NOTE + "; not sent yet: back to its page",
    ),
    Row("public:survey_results", kwargs=c(slug="closed_survey.slug"), get=ANYONE),
    Row("public:conversations", kwargs=c(), get=ANYONE),
    Row("public:conversation", kwargs=c(slug="conversation.slug"), get=ANYONE),
    action("public:conversation_vote", c(slug="conversation.slug"), SIGNED_IN),
    Row(
        "public:conversation_votes",
        kwargs=c(slug="conversation.slug"),
        get=ANYONE,
        note=SIGN_IN_PAGE,
    ),
    Row(
        "public:conversation_statement_new",
        kwargs=c(slug="conversation.slug"),
        get=ANYONE,
        post=SIGNED_IN,
        note=SIGN_IN_PAGE,
    ),
    Row(
        "public:conversation_about_you",
        kwargs=c(slug="conversation.slug"),
        get=ANYONE,
        post=SIGNED_IN,
        note=SIGN_IN_PAGE,
    ),
    Row("public:conversation_report", kwargs=c(slug="conversation.slug"), get=ANYONE),
    Row("public:conversation_report_csv", kwargs=c(slug="conversation.slug"), get=ANYONE),
    Row("public:conversation_report_json", kwargs=c(slug="conversation.slug"), get=ANYONE),
    Row(
        "public:conversation_report_participants_csv",
        kwargs=c(slug="conversation.slug"),
        get=ANYONE,
    ),
    Row("public:population", kwargs=c(), get=ANYONE),
]

API = [
    Row("api:openapi-json", get=ANYONE, post=ANYONE, no_writes=True, note=READ_ONLY_POST),
    Row("api:openapi-view", get=ANYONE, post=ANYONE, no_writes=True, note=READ_ONLY_POST),
    Row("api:api-root", get=ANYONE, post=ANYONE, ok=(302,), no_writes=True, note="to the docs"),
    Row("api:councils", get=ANYONE),
    Row("api:council", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:council_wards", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:council_councillors", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:councillor", kwargs=k(id="area.ada.pk"), get=ANYONE),
    Row("api:postcode", kwargs=lambda s: {"postcode": "MH1 1AA"}, get=ANYONE),
    Row("api:council_bodies", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:body", kwargs=k(slug="council.slug", body_slug="body.slug"), get=ANYONE),
    Row("api:council_meetings", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:meeting", kwargs=k(slug="council.slug", id="meeting.pk"), get=ANYONE),
    Row("api:council_decisions", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:decision", kwargs=k(slug="council.slug", id="decision.pk"), get=ANYONE),
    Row("api:document", kwargs=k(slug="council.slug", id="document.pk"), get=ANYONE),
    Row("api:council_forward_plan", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:search", get=ANYONE, query="?q=bins"),
    Row("api:meeting_live", kwargs=k(slug="council.slug", id="live.meeting.pk"), get=ANYONE),
    Row("api:meeting_recordings", kwargs=k(slug="council.slug", id="live.held.pk"), get=ANYONE),
    Row(
        "api:recording_transcript",
        kwargs=k(slug="council.slug", id="live.held.pk", recording_id="recording.pk"),
        get=ANYONE,
    ),
    Row("api:council_petitions", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:petition", kwargs=k(slug="council.slug", id="voice.library.pk"), get=ANYONE),
    Row(
        "api:petition_signatures",
        kwargs=k(slug="council.slug", id="voice.library.pk"),
        post=ANYONE,
        ok=(200, 201, 202, 400, 422),
        note="signing needs no account; an empty body is refused as invalid (4xx JSON)",
    ),
    Row("api:signature_confirm", post=ANYONE, ok=(200, 400, 404, 422), note="token in the body"),
    Row("api:signature_withdraw", post=ANYONE, ok=(200, 400, 404, 422), note="token in the body"),
    Row("api:council_obligations", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:council_ideas", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:idea", kwargs=k(slug="council.slug", id="idea.pk"), get=ANYONE),
    Row("api:council_budgets", kwargs=k(slug="council.slug"), get=ANYONE),
    Row(
        "api:budget_process", kwargs=k(slug="council.slug", process_slug="process.slug"), get=ANYONE
    ),
    Row(
        "api:budget_projects",
        kwargs=k(slug="council.slug", process_slug="process.slug"),
        get=ANYONE,
    ),
    Row(
        "api:budget_results",
        kwargs=k(slug="council.slug", process_slug="done_process.slug"),
        get=ANYONE,
    ),
    Row(
        "api:budget_project_updates",
        kwargs=k(slug="council.slug", process_slug="done_process.slug", id="funded.pk"),
        get=ANYONE,
    ),
    Row("api:council_surveys", kwargs=k(slug="council.slug"), get=ANYONE),
    Row("api:survey", kwargs=k(slug="council.slug", survey_slug="survey.slug"), get=ANYONE),
    Row(
        "api:survey_results",
        kwargs=k(slug="council.slug", survey_slug="closed_survey.slug"),
        get=ANYONE,
    ),
    Row("api:deliberations", kwargs=k(slug="council.slug"), get=ANYONE),
    Row(
        "api:deliberation",
        kwargs=k(slug="council.slug", conversation_slug="conversation.slug"),
        get=ANYONE,
    ),
    Row(
        "api:deliberation_report",
        kwargs=k(slug="council.slug", conversation_slug="conversation.slug"),
        get=ANYONE,
    ),
]

STAFF_CORE = [
    Row("staff:dashboard", kwargs=c(), get=STAFF_AREA),
    Row("staff:residents", kwargs=c(), get=staff(Action.VIEW_RESIDENTS)),
    Row("staff:resident", kwargs=RESIDENT_ID, get=staff(Action.VIEW_RESIDENTS)),
    form("staff:verify_resident", RESIDENT_ID, staff(Action.VERIFY_RESIDENT)),
    form(
        "staff:revoke_verification",
        c(verification_id="verification.pk"),
        staff(Action.REVOKE_VERIFICATION),
    ),
    form("staff:roles", c(), staff(Action.MANAGE_ROLES)),
    form("staff:revoke_role", c(role_id="officer_role.pk"), staff(Action.MANAGE_ROLES)),
]

STAFF_MEETINGS = [
    Row("staff:meetings", kwargs=c(), get=MEETINGS),
    form("staff:meeting_new", c(), MEETINGS),
    Row("staff:meeting", kwargs=MEETING, get=MEETINGS),
    form("staff:meeting_edit", MEETING, MEETINGS),
    form(
        "staff:agenda_publish",
        MEETING,
        MEETINGS,
        ok=(200, 302),
        note="GET of a published agenda: back to the meeting",
    ),
    form("staff:meeting_postpone", MEETING, MEETINGS),
    form("staff:meeting_cancel", MEETING, MEETINGS),
    form("staff:item_new", MEETING, MEETINGS),
    form("staff:item_edit", c(meeting_id="meeting.pk", item_id="item.pk"), MEETINGS),
    form("staff:item_remove", c(meeting_id="meeting.pk", item_id="item.pk"), MEETINGS),
    action("staff:item_move", c(meeting_id="meeting.pk", item_id="item.pk"), MEETINGS),
    form("staff:document_new", MEETING, MEETINGS),
    form("staff:attendance", MEETING, MEETINGS),
    form("staff:declaration_new", MEETING, MEETINGS),
    form("staff:vote_new", MEETING, MEETINGS),
    form("staff:decision_new", MEETING, MEETINGS),
    form("staff:minutes", MEETING, MEETINGS),
    Row("staff:document", kwargs=c(document_id="document.pk"), get=MEETINGS),
    form("staff:document_remove", c(document_id="document.pk"), MEETINGS),
    form("staff:decision_status", c(decision_id="decision.pk"), MEETINGS),
    Row("staff:bodies", kwargs=c(), get=MEETINGS),
    form("staff:body_new", c(), MEETINGS),
    form("staff:body", c(body_id="body.pk"), MEETINGS),
    form("staff:member_new", c(body_id="body.pk"), MEETINGS),
    form("staff:membership_end", c(body_id="body.pk", membership_id="membership.pk"), MEETINGS),
    Row("staff:forward_plan", kwargs=c(), get=MEETINGS),
    form("staff:forward_plan_new", c(), MEETINGS),
    Row("staff:submissions", kwargs=c(), get=MEETINGS),
    form("staff:submission", c(submission_id="submission.pk"), MEETINGS),
    form("staff:meeting_settings", c(), staff(Action.EDIT_COUNCIL)),
    form("staff:live_settings", c(), staff(Action.EDIT_COUNCIL)),
    Row("staff:live_console", kwargs=LIVE, get=MEETINGS),
    action("staff:live_step", lambda s: {**LIVE(s), "step": "next"}, MEETINGS),
    action("staff:live_go_to", c(pk="live.meeting.pk", item_id="live.budget.pk"), MEETINGS),
    form("staff:live_blog", LIVE, MEETINGS, ok=(200, 302, 400), note="GET: back to the console"),
    action("staff:live_blog_remove", c(pk="live.meeting.pk", post_id="blog_post.pk"), MEETINGS),
    Row("staff:live_moderation", kwargs=c(), get=MODERATE),
    action("staff:live_moderate_comment", c(comment_id="live_comment.pk"), MODERATE),
    action("staff:live_moderate_media", c(media_id="live_media.pk"), MODERATE),
    Row("staff:recordings", kwargs=c(pk="live.held.pk"), get=MEETINGS),
    form("staff:recording_new", c(pk="live.held.pk"), MEETINGS),
    Row("staff:recording", kwargs=REC, get=MEETINGS),
    action("staff:recording_captions", REC, MEETINGS),
    action("staff:recording_chapters", REC, MEETINGS),
    action("staff:recording_timeline", REC, MEETINGS),
    action("staff:recording_transcribe", REC, MEETINGS),
    action("staff:recording_speakers", REC, MEETINGS),
    action("staff:recording_remove", REC, MEETINGS),
]

STAFF_VOICE = [
    Row("staff:ideas", kwargs=c(), get=MODERATE, note="moderators see ideas to moderate comments"),
    form("staff:idea_settings", c(), staff(Action.EDIT_COUNCIL)),
    Row("staff:idea", kwargs=IDEA, get=MODERATE, note="moderators see ideas to moderate comments"),
    form("staff:idea_status", IDEA, VOICE),
    form("staff:idea_respond", IDEA, VOICE),
    form("staff:idea_merge", IDEA, VOICE),
    form("staff:idea_agenda", IDEA, VOICE),
    form("staff:idea_decision", c(link_id="idea_link.pk"), VOICE),
    form("staff:idea_comment_remove", c(comment_id="idea_comment.pk"), MODERATE),
    Row("staff:petitions", kwargs=c(), get=STAFF_AREA),
    Row("staff:petitions_moderation", kwargs=c(), get=MODERATE),
    Row("staff:petition_obligations", kwargs=c(), get=VOICE),
    form("staff:obligation_assign", c(obligation_id="voice.debate.pk"), VOICE),
    form("staff:petition_scheme", c(), staff(Action.EDIT_COUNCIL)),
    form("staff:petition_enter_paper", c(), VOICE),
    Row("staff:petition", kwargs=PETITION, get=VOICE),
    form("staff:petition_moderate", c(petition_id="voice.waiting.pk"), MODERATE),
    form("staff:petition_respond", PETITION, VOICE),
    form("staff:petition_close", PETITION, VOICE),
    form("staff:petition_place", PETITION, VOICE),
    form(
        "staff:petition_hearing_decision",
        c(petition_id="voice.library.pk", hearing_id="voice.hearing.pk"),
        VOICE,
    ),
    form("staff:petition_paper", PETITION, VOICE),
    Row("staff:petition_abuse", kwargs=PETITION, get=MODERATE),
    action(
        "staff:petition_alert_resolve",
        c(petition_id="voice.library.pk", alert_id="voice.alert.pk"),
        MODERATE,
    ),
    form("staff:petition_invalidate", PETITION, MODERATE),
    Row("staff:petition_invalidations", kwargs=PETITION, get=MODERATE),
]

STAFF_BUDGETS = [
    Row("staff:budget_processes", kwargs=c(), get=BUDGETS),
    form("staff:budget_process_new", c(), BUDGETS),
    Row("staff:budget_process", kwargs=PROCESS, get=BUDGETS),
    form("staff:budget_process_edit", PROCESS, BUDGETS),
    form("staff:budget_budgets", PROCESS, BUDGETS),
    form("staff:budget_budget_change", c(process_id="process.pk", budget_id="budget.pk"), BUDGETS),
    form("staff:budget_budget_remove", c(process_id="process.pk", budget_id="budget.pk"), BUDGETS),
    form("staff:budget_phase", PROCESS, BUDGETS),
    Row("staff:budget_projects", kwargs=PROCESS, get=BUDGETS),
    form("staff:budget_project_new", PROCESS, BUDGETS),
    Row("staff:budget_project", kwargs=PROJECT, get=BUDGETS),
    form("staff:budget_project_review", PROJECT, BUDGETS),
    form("staff:budget_project_merge", PROJECT, BUDGETS),
    form("staff:budget_project_edit", PROJECT, BUDGETS),
    Row(
        "staff:budget_project_image",
        kwargs=c(process_id="process.pk", project_id="project.pk", image_id="project.pk"),
        get=NOBODY,
        note="no picture in the scene: 404 for everyone",
    ),
    Row("staff:budget_paper", kwargs=PROCESS, get=BUDGETS),
    form("staff:budget_paper_enter", c(process_id="process.pk", budget_id="budget.pk"), BUDGETS),
    form(
        "staff:budget_paper_void", c(process_id="process.pk", ballot_id="paper_ballot.pk"), BUDGETS
    ),
    Row("staff:budget_results", kwargs=c(process_id="done_process.pk"), get=BUDGETS),
    Row(
        "staff:budget_result_csv",
        kwargs=c(process_id="done_process.pk", budget_id="done_budget.pk"),
        get=BUDGETS,
    ),
    Row("staff:budget_delivery", kwargs=c(process_id="done_process.pk"), get=BUDGETS),
    form(
        "staff:budget_delivery_report",
        c(process_id="done_process.pk", project_id="funded.pk"),
        BUDGETS,
    ),
]

STAFF_CONSULTATIONS = [
    Row("staff:surveys", kwargs=c(), get=CONSULT),
    form("staff:survey_new", c(), CONSULT),
    Row("staff:survey", kwargs=SURVEY, get=CONSULT),
    form("staff:survey_edit", SURVEY, CONSULT),
    form("staff:survey_question_new", SURVEY, CONSULT),
    form("staff:survey_question_edit", c(slug="survey.slug", question_id="question.pk"), CONSULT),
    form("staff:survey_question_remove", c(slug="survey.slug", question_id="question.pk"), CONSULT),
    action("staff:survey_question_move", c(slug="survey.slug", question_id="question.pk"), CONSULT),
    Row("staff:survey_preview", kwargs=SURVEY, get=CONSULT),
    form("staff:survey_open", SURVEY, CONSULT),
    form("staff:survey_close", SURVEY, CONSULT),
    form("staff:survey_delete", SURVEY, CONSULT),
    Row("staff:survey_results", kwargs=SURVEY, get=CONSULT),
    Row("staff:survey_csv", kwargs=SURVEY, get=CONSULT),
    Row("staff:survey_paper", kwargs=SURVEY, get=CONSULT),
    form("staff:survey_paper_new", SURVEY, CONSULT),
    form("staff:conversation_import", c(), CONSULT),
    Row("staff:conversation_export", kwargs=c(slug="conversation.slug"), get=CONSULT),
    Row("staff:conversations", kwargs=c(), get=MODERATE, note="every staff role moderates"),
    form("staff:conversation_new", c(), CONSULT),
    Row("staff:conversation", kwargs=CONV, get=MODERATE, note="every staff role moderates"),
    form("staff:conversation_edit", CONV, CONSULT),
    form("staff:conversation_status", CONV, CONSULT),
    action("staff:conversation_recompute", CONV, CONSULT),
    Row("staff:conversation_statements", kwargs=CONV, get=MODERATE, post=CONSULT),
    Row("staff:conversation_moderation", kwargs=CONV, get=MODERATE),
    form(
        "staff:conversation_moderate",
        c(conversation_id="conversation.pk", statement_id="statement.pk"),
        MODERATE,
    ),
    form("staff:population", c(), CONSULT),
    Row("staff:population_csv", kwargs=c(), get=CONSULT),
]

# The same routes with what must not be public: drafts (staff who run them preview them),
# papers on exempt business, petitions before (or refused at) moderation. ``variant`` names
# the object. (Results before they are published answer 200 with a "not yet" page, which a
# status cannot tell apart: tests/budgeting and tests/surveys check those pages' content.)
UNPUBLISHED_PETITION = RESIDENT | MODERATE  # petition_views.may_see: the creator and moderators
HIDDEN = [
    Row(
        "public:petition",
        variant="draft",
        kwargs=c(pk="voice.draft.pk", slug="voice.draft.slug"),
        get=UNPUBLISHED_PETITION,
    ),
    Row(
        "public:petition",
        variant="waiting",
        kwargs=c(pk="voice.waiting.pk", slug="voice.waiting.slug"),
        get=UNPUBLISHED_PETITION,
    ),
    Row(
        "public:petition",
        variant="rejected",
        kwargs=c(pk="voice.rejected.pk", slug="voice.rejected.slug"),
        get=ANYONE,
        note="a rejected petition is published with the reason (the scheme's rule)",
    ),
    Row(
        "public:population_petition",
        variant="draft",
        kwargs=c(pk="voice.draft.pk"),
        get=UNPUBLISHED_PETITION,
    ),
    Row(
        "api:petition",
        variant="draft",
        kwargs=k(slug="council.slug", id="voice.draft.pk"),
        get=NOBODY,
    ),
    Row("public:document", variant="exempt", kwargs=c(pk="exempt_document.pk"), get=NOBODY),
    Row("public:document_file", variant="exempt", kwargs=c(pk="exempt_document.pk"), get=NOBODY),
    Row(
        "api:document",
        variant="exempt",
        kwargs=k(slug="council.slug", id="exempt_document.pk"),
        get=NOBODY,
    ),
    Row(
        "staff:document",
        variant="exempt",
        kwargs=c(document_id="exempt_document.pk"),
        get=staff(Action.VIEW_EXEMPT) & MEETINGS,
    ),
    Row("public:survey", variant="draft", kwargs=c(slug="draft_survey.slug"), get=CONSULT),
    Row(
        "api:survey",
        variant="draft",
        kwargs=k(slug="council.slug", survey_slug="draft_survey.slug"),
        get=NOBODY,
    ),
    Row("staff:survey_preview", variant="draft", kwargs=c(slug="draft_survey.slug"), get=CONSULT),
    Row(
        "public:conversation",
        variant="draft",
        kwargs=c(slug="draft_conversation.slug"),
        get=MODERATE,
        note="staff preview a draft (every staff role moderates conversations)",
    ),
    Row(
        "api:deliberation",
        variant="draft",
        kwargs=k(slug="council.slug", conversation_slug="draft_conversation.slug"),
        get=NOBODY,
    ),
    Row("public:budget_process", variant="draft", kwargs=c(slug="draft_process.slug"), get=BUDGETS),
    Row(
        "api:budget_process",
        variant="draft",
        kwargs=k(slug="council.slug", process_slug="draft_process.slug"),
        get=NOBODY,
    ),
]

ROWS = [
    *SITE,
    *MEETINGS_PUBLIC,
    *IDEAS_PUBLIC,
    *PETITIONS_PUBLIC,
    *LETTERS_PUBLIC,
    *BUDGETS_PUBLIC,
    *CONSULTATIONS_PUBLIC,
    *API,
    *STAFF_CORE,
    *STAFF_MEETINGS,
    *STAFF_VOICE,
    *STAFF_BUDGETS,
    *STAFF_CONSULTATIONS,
    *HIDDEN,
]
