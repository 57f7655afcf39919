"""Who may use the clerk's meeting screens, through the real URLs: a role × action matrix.

Officers and council admins may; moderators, residents and councillors may not;
anonymous visitors are sent to sign in; an officer of another council is refused
Mootshire's pages and cannot reach Mootshire's objects through Elsewhere's URLs.
Refused requests write nothing.
"""

from __future__ import annotations

import pytest

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Body,
    Decision,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingSettings,
    Membership,
    PublicSubmission,
)
from tests.staff.meetings_scene import Scene

pytestmark = pytest.mark.django_db


# Every screen, by name: its path under /<council>/staff/meetings/.
PAGES = {
    "meetings": "",
    "meeting_new": "new/",
    "meeting": "{m}/",
    "meeting_edit": "{m}/edit/",
    "publish": "{m}/publish/",
    "postpone": "{m}/postpone/",
    "cancel": "{m}/cancel/",
    "item_new": "{m}/items/new/",
    "item_edit": "{m}/items/{item}/edit/",
    "item_remove": "{m}/items/{item}/remove/",
    "document_new": "{m}/documents/new/",
    "document": "documents/{doc}/",
    "document_remove": "documents/{doc}/remove/",
    "attendance": "{past}/attendance/",
    "declaration_new": "{past}/declarations/new/",
    "vote_new": "{past}/votes/new/",
    "decision_new": "{past}/decisions/new/",
    "decision_status": "decisions/{decision}/status/",
    "minutes": "{past}/minutes/",
    "bodies": "bodies/",
    "body_new": "bodies/new/",
    "body": "bodies/{body}/",
    "member_new": "bodies/{body}/members/new/",
    "membership_end": "bodies/{body}/members/{seat}/end/",
    "forward_plan": "forward-plan/",
    "forward_plan_new": "forward-plan/new/",
    "submissions": "submissions/",
    "submission": "submissions/{sub}/",
}
# Pages that show one object of the council (the rest are council-wide lists and forms).
OBJECT_PAGES = [name for name, path in PAGES.items() if "{" in path]

# Valid POSTs that each write something when allowed.
FORMS = {
    "meeting_new": ("new/", {"body": "{body}", "date": "2030-04-04", "start_time": "10:00"}),
    "meeting_edit": ("{m}/edit/", {"date": "2030-03-14", "start_time": "19:00"}),
    "publish": ("{m}/publish/", {}),
    "postpone": ("{m}/postpone/", {"reason": "Flooding"}),
    "cancel": ("{m}/cancel/", {"reason": "No business"}),
    "item_new": ("{m}/items/new/", {"title": "Any other business", "kind": "other"}),
    "item_edit": ("{m}/items/{item}/edit/", {"title": "Bins", "kind": "report"}),
    "item_remove": ("{m}/items/{item}/remove/", {}),
    "item_move": ("{m}/items/{item}/move/", {"direction": "up"}),
    "document_remove": ("documents/{doc}/remove/", {}),
    "attendance": ("{past}/attendance/", {"status_{ann}": "present"}),
    "vote_new": ("{past}/votes/new/", {"motion": "Approve", "position_{ann}": "for"}),
    "decision_new": (
        "{past}/decisions/new/",
        {"title": "T", "text": "X", "decision_maker": "C", "decided_on": "2024-05-09"},
    ),
    "decision_status": ("decisions/{decision}/status/", {"status": "implemented"}),
    "minutes": ("{past}/minutes/", {}),
    "body_new": ("bodies/new/", {"name": "Audit Committee", "kind": "committee"}),
    "member_new": ("bodies/{body}/members/new/", {"councillor": "{dee}", "role": "member"}),
    "membership_end": ("bodies/{body}/members/{seat}/end/", {"end_date": "2030-01-01"}),
    "forward_plan_new": (
        "forward-plan/new/",
        {"title": "Budget", "decision_maker": "Cabinet", "expected_date": "2030-06-01"},
    ),
    "submission": ("submissions/{sub}/", {"decision": "accept"}),
    "settings": (
        "settings/",
        {
            "notice_clear_days": "5",
            "call_in_days": "5",
            "public_submission_days": "3",
            "public_submission_max_length": "2000",
            "document_max_mb": "10",
        },
    ),
}


def _url(template: str, ids: dict[str, int], council: str = "mootshire") -> str:
    return f"/{council}/staff/meetings/" + template.format(**ids)


def _ids(objects: dict[str, int], scene: Scene) -> dict[str, int]:
    return {**objects, "ann": scene.ann.pk, "dee": scene.dee.pk}


def _post_data(data: dict[str, str], ids: dict[str, int]) -> dict[str, str]:
    return {key.format(**ids): value.format(**ids) for key, value in data.items()}


def _snapshot() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(Meeting.objects.order_by("pk").values_list("pk", "start", "status")),
        list(AgendaItem.objects.order_by("pk").values_list("pk", "title", "number")),
        Body.objects.count(),
        Document.objects.count(),
        Decision.objects.count(),
        list(Membership.objects.order_by("pk").values_list("pk", "end_date")),
        ForwardPlanEntry.objects.count(),
        list(PublicSubmission.objects.values_list("status", flat=True)),
        MeetingSettings.objects.count(),
    )


@pytest.mark.parametrize("persona", ["officer", "council_admin"])
def test_the_clerks_reach_every_meeting_screen(client, request, objects, persona):
    client.force_login(request.getfixturevalue(persona))

    statuses = {page: client.get(_url(path, objects)).status_code for page, path in PAGES.items()}

    assert statuses == dict.fromkeys(PAGES, 200)


@pytest.mark.parametrize("persona", ["moderator", "resident", "councillor_user", "outsider"])
def test_everyone_else_signed_in_is_refused_every_screen(client, request, objects, persona):
    client.force_login(request.getfixturevalue(persona))
    pages = {**PAGES, "settings": "settings/"}

    statuses = {page: client.get(_url(path, objects)).status_code for page, path in pages.items()}

    assert statuses == dict.fromkeys(pages, 403)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, objects):
    urls = [_url(path, objects) for path in [*PAGES.values(), "settings/"]]

    answers = {url: (lambda r: (r.status_code, r["Location"]))(client.get(url)) for url in urls}

    assert answers == {url: (302, f"/accounts/login/?next={url}") for url in urls}


@pytest.mark.parametrize(
    ("persona", "status"), [("officer", 403), ("council_admin", 200), ("moderator", 403)]
)
def test_only_a_council_admin_may_change_the_meeting_rules(
    client, request, objects, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/mootshire/staff/meetings/settings/").status_code == status


@pytest.mark.parametrize(
    "persona", ["moderator", "resident", "councillor_user", "outsider", "anonymous"]
)
def test_nobody_else_can_change_anything(client, request, objects, scene, persona):
    ids = _ids(objects, scene)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    before = _snapshot()
    expected = 302 if persona == "anonymous" else 403

    statuses = {
        form: client.post(_url(path, ids), _post_data(data, ids)).status_code
        for form, (path, data) in FORMS.items()
    }

    assert statuses == dict.fromkeys(FORMS, expected)
    assert _snapshot() == before


def test_an_officer_may_not_save_the_meeting_rules(client, officer, objects, scene):
    client.force_login(officer)
    path, data = FORMS["settings"]
    before = _snapshot()

    response = client.post(_url(path, objects), data)

    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("form", list(FORMS))
def test_each_valid_post_by_a_council_admin_writes_and_redirects(
    client, council_admin, objects, scene, form
):
    # The positive side of the matrix: the same POSTs do work for a clerk.
    ids = _ids(objects, scene)
    client.force_login(council_admin)
    path, data = FORMS[form]
    before = AuditEntry.objects.count()

    response = client.post(_url(path, ids), _post_data(data, ids))

    assert response.status_code == 302, response.content.decode()[:3000]
    if form != "item_move":  # the first item moved up stays put: nothing to record
        assert AuditEntry.objects.count() > before


def test_an_outsider_cannot_reach_mootshires_objects_through_their_own_council(
    client, outsider, objects, scene
):
    ids = _ids(objects, scene)
    client.force_login(outsider)
    before = _snapshot()
    writes = {form: spec for form, spec in FORMS.items() if "{" in spec[0]}

    pages = {
        page: client.get(_url(PAGES[page], ids, council="elsewhere")).status_code
        for page in OBJECT_PAGES
    }
    posts = {
        form: client.post(_url(path, ids, council="elsewhere"), _post_data(data, ids)).status_code
        for form, (path, data) in writes.items()
    }

    assert pages == dict.fromkeys(OBJECT_PAGES, 404)
    assert posts == dict.fromkeys(writes, 404)
    assert _snapshot() == before


def test_a_clerk_cannot_pick_another_councils_body_or_councillor(clerk, scene, other_council):
    from tests import factories

    stranger = factories.CouncillorFactory(council=other_council, person__name="Stan Stranger")
    before = _snapshot()

    meeting = clerk.post(
        "/mootshire/staff/meetings/new/",
        {"body": scene.elsewhere_body.pk, "date": "2030-04-04", "start_time": "10:00"},
    )
    member = clerk.post(
        f"/mootshire/staff/meetings/bodies/{scene.body.pk}/members/new/",
        {"councillor": stranger.pk, "role": "member"},
    )

    assert meeting.status_code == 200
    assert member.status_code == 200
    assert meeting.context["form"].errors == {"body": ["Choose the body that is meeting."]}
    assert member.context["form"].errors == {"councillor": ["Choose a councillor of this council."]}
    assert _snapshot() == before


def test_an_unknown_meeting_or_item_is_not_found(clerk, scene):
    assert clerk.get("/mootshire/staff/meetings/999999/").status_code == 404
    assert clerk.get(scene.url("items/999999/edit/")).status_code == 404
    # An item of another meeting is not found through this one.
    past_item = domain.add_agenda_item(None, scene.past, title="Minutes")
    assert clerk.get(scene.url(f"items/{past_item.pk}/edit/")).status_code == 404


def test_the_dashboard_links_clerks_to_the_meetings(client, officer, moderator, scene):
    client.force_login(officer)
    clerk_page = client.get("/mootshire/staff/").content.decode()
    client.force_login(moderator)
    moderator_page = client.get("/mootshire/staff/").content.decode()

    assert 'href="/mootshire/staff/meetings/"' in clerk_page
    assert 'href="/mootshire/staff/meetings/"' not in moderator_page
