"""Every meeting screen keeps to the CSP, is not cached, refuses forged POSTs, and answers
any input with a page and never a server error; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Meeting, PublicSubmission
from tests import factories
from tests.staff import html
from tests.staff.meetings_scene import Scene
from tests.staff.test_meetings_access import (
    FORMS,
    PAGES,
    _ids,
    _post_data,
    _snapshot,
    _url,
)

pytestmark = pytest.mark.django_db


def test_no_meeting_screen_has_inline_script_or_style_and_each_has_one_heading(
    client, council_admin, objects
):
    client.force_login(council_admin)
    pages = {**PAGES, "settings": "settings/"}
    pages.pop("document")  # a file, not a page

    problems = {}
    for name, path in pages.items():
        page = client.get(_url(path, objects)).content.decode()
        found = (
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
            + re.findall(r"\sstyle=", page)
            + re.findall(r"\son[a-z]+=", page)
        )
        if found or page.count("<h1") != 1:
            problems[name] = (found, page.count("<h1"))

    assert problems == {}


def test_no_meeting_screen_may_be_kept_by_the_browser_or_a_cache(client, officer, objects):
    client.force_login(officer)

    headers = {
        name: client.get(_url(path, objects))["Cache-Control"] for name, path in PAGES.items()
    }

    assert set(headers.values()) == {"max-age=0, no-cache, no-store, must-revalidate, private"}


def test_forms_sent_from_another_site_without_the_csrf_token_are_refused(
    council_admin, objects, scene: Scene
):
    ids = _ids(objects, scene)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(council_admin)
    before = _snapshot()

    statuses = {
        form: browser.post(_url(path, ids), _post_data(data, ids)).status_code
        for form, (path, data) in FORMS.items()
    }

    assert statuses == dict.fromkeys(FORMS, 403)
    assert _snapshot() == before


def _grow(scene: Scene, resident, n: int) -> None:
    """n more bodies with members, forward-plan entries and public questions."""
    council = scene.body.council
    for i in range(n):
        body = domain.create_body(None, council, name=f"Panel {i}")
        factories.MembershipFactory(body=body)
        domain.add_forward_plan_entry(
            None, council, title=f"Plan {i}", decision_maker="Cabinet",
            expected_date=dt.date(2030, 6, 1), body=body,
        )  # fmt: skip
        PublicSubmission.objects.create(
            meeting=scene.meeting, submitter=resident, display_name=f"Person {i}",
            kind="speak", text="I would like to speak.", agenda_item=scene.bins,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "budget"), [("bodies/", 7), ("forward-plan/", 7), ("submissions/", 8)]
)
def test_the_other_lists_run_the_same_few_queries_however_long(
    clerk, scene: Scene, resident, path, budget
):
    url = f"/mootshire/staff/meetings/{path}"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get(url).status_code == 200
        return len(queries)

    _grow(scene, resident, 1)
    few = count()
    _grow(scene, resident, 6)
    many = count()

    assert few == many
    assert many <= budget


# Each form with input it must refuse: the page comes back with the error summary.
BAD_INPUT = {
    "meeting_new": ("new/", {"body": "{body}", "date": "30/02/2030", "start_time": "25:00"}),
    "meeting_edit": ("{m}/edit/", {"date": "", "start_time": "18:30"}),
    "postpone": ("{m}/postpone/", {"reason": ""}),
    "cancel": ("{m}/cancel/", {"reason": "x" * 2001}),
    "item_new": ("{m}/items/new/", {"title": "", "kind": "nonsense"}),
    "item_edit": ("{m}/items/{item}/edit/", {"title": "Bins", "kind": "report",
                                              "exempt_paragraph": "9"}),
    "document_new": ("{m}/documents/new/", {"title": "Pack", "kind": "report"}),
    "attendance": ("{past}/attendance/", {"status_{ann}": "asleep"}),
    "declaration_new": ("{past}/declarations/new/", {"councillor": "0", "kind": "x"}),
    "vote_new": ("{past}/votes/new/", {"motion": "M", "position_{ann}": "maybe"}),
    "decision_new": ("{past}/decisions/new/", {"title": "T", "decided_on": "yesterday"}),
    "decision_status": ("decisions/{decision}/status/", {"status": "cancelled"}),
    "minutes": ("{past}/minutes/", {"document": "999999"}),
    "body_new": ("bodies/new/", {"name": "", "kind": "club"}),
    "body": ("bodies/{body}/", {"name": "Planning", "kind": "committee", "parent": "{body}"}),
    "member_new": ("bodies/{body}/members/new/", {"councillor": "{dee}", "role": "king"}),
    "membership_end": ("bodies/{body}/members/{seat}/end/", {"end_date": "2020-01-01"}),
    "forward_plan_new": ("forward-plan/new/", {"title": "Budget"}),
    "submission": ("submissions/{sub}/", {"decision": "maybe"}),
    "settings": ("settings/", {"notice_clear_days": "99"}),
}  # fmt: skip


@pytest.mark.parametrize("form", list(BAD_INPUT))
def test_each_form_refuses_bad_input_with_the_error_summary_and_writes_nothing(
    client, council_admin, objects, scene: Scene, form
):
    ids = _ids(objects, scene)
    client.force_login(council_admin)
    path, data = BAD_INPUT[form]
    before = _snapshot()

    response = client.post(_url(path, ids), _post_data(data, ids))

    assert response.status_code == 200
    assert html.error_summary(response) != []
    assert html.title(response).startswith("Error:")
    assert response.content.decode().count("<h1") == 1
    assert _snapshot() == before


_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_TEXT = st.text(max_size=120)
_NUMBERISH = st.one_of(
    _TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "1", "3", "7", "0", "8"]),
)


@_SETTINGS
@given(
    title=st.one_of(_TEXT, st.just("x" * 501)),
    description=_TEXT,
    kind=st.one_of(st.sampled_from(AgendaItem.Kind.values), _TEXT),
    parent=st.one_of(st.just("{bins}"), st.just("{past_item}"), _NUMBERISH),
    exempt_paragraph=_NUMBERISH,
    is_urgent=st.sampled_from(["", "on", "false", "yes"]),
    urgency_reason=_TEXT,
    lead_officer=st.one_of(_TEXT, st.just("y" * 201)),
)
def test_the_agenda_item_form_never_fails(
    clerk, scene: Scene, title, description, kind, parent, exempt_paragraph, is_urgent,
    urgency_reason, lead_officer,
):  # fmt: skip
    past_item = scene.past.items.first() or AgendaItem.objects.create(
        meeting=scene.past, title="Minutes", number="1", sort_key="0000."
    )
    data = {
        "title": title,
        "description": description,
        "kind": kind,
        "parent": {"{bins}": scene.bins.pk, "{past_item}": past_item.pk}.get(parent, parent),
        "exempt_paragraph": exempt_paragraph,
        "is_urgent": is_urgent,
        "urgency_reason": urgency_reason,
        "lead_officer": lead_officer,
    }
    before = AgendaItem.objects.count()

    response = clerk.post(scene.url("items/new/"), data)
    edited = clerk.post(scene.url(f"items/{scene.appendix.pk}/edit/"), data)

    assert response.status_code in (200, 302)
    assert edited.status_code in (200, 302)
    if response.status_code == 200:
        assert html.error_summary(response) != []
        assert AgendaItem.objects.count() == before
    else:
        assert AgendaItem.objects.count() == before + 1
    if edited.status_code == 200:
        assert html.error_summary(edited) != []


_DATES = st.one_of(
    _TEXT,
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
_TIMES = st.one_of(_TEXT, st.times().map(lambda t: t.strftime("%H:%M")))


@_SETTINGS
@given(
    body=st.one_of(st.just("{body}"), st.just("{elsewhere}"), _NUMBERISH),
    title=_TEXT,
    date=_DATES,
    start_time=_TIMES,
    end_time=_TIMES,
    venue=st.one_of(_TEXT, st.just("v" * 301)),
    webcast_url=st.one_of(
        _TEXT,
        st.just("https://webcast.example.org/" + "a" * 480),
        st.just("javascript:alert(1)"),
        st.just("https://webcast.example.org/live"),
    ),
)
def test_the_meeting_forms_never_fail(
    clerk, scene: Scene, body, title, date, start_time, end_time, venue, webcast_url
):
    data = {
        "body": {"{body}": scene.body.pk, "{elsewhere}": scene.elsewhere_body.pk}.get(body, body),
        "title": title,
        "date": date,
        "start_time": start_time,
        "end_time": end_time,
        "venue": venue,
        "webcast_url": webcast_url,
    }
    before = Meeting.objects.count()

    created = clerk.post("/mootshire/staff/meetings/new/", data)
    edited = clerk.post(scene.url("edit/"), data)
    postponed = clerk.post(
        f"/mootshire/staff/meetings/{scene.past.pk}/postpone/",
        {"reason": title, "new_date": date, "new_time": start_time},
    )

    assert created.status_code in (200, 302)
    assert edited.status_code in (200, 302)
    assert postponed.status_code in (200, 302)
    if created.status_code == 200:
        assert html.error_summary(created) != []
        assert Meeting.objects.count() == before
    else:
        assert Meeting.objects.count() == before + 1
        assert not Meeting.objects.latest("pk").webcast_url.lower().startswith("javascript")


@settings(_SETTINGS, max_examples=15)
@given(page=_TEXT, when=_TEXT, parent=_TEXT, item=_TEXT, body=_TEXT)
def test_the_lists_and_links_never_fail_on_odd_query_strings(
    clerk, scene: Scene, page, when, parent, item, body
):
    answers = [
        clerk.get("/mootshire/staff/meetings/", {"page": page, "when": when}),
        clerk.get(scene.url("items/new/"), {"parent": parent}),
        clerk.get(scene.url("documents/new/"), {"item": item}),
        clerk.get("/mootshire/staff/meetings/new/", {"body": body}),
        clerk.get("/mootshire/staff/meetings/bodies/", {"page": page}),
        clerk.get("/mootshire/staff/meetings/forward-plan/", {"page": page}),
        clerk.get("/mootshire/staff/meetings/submissions/", {"page": page}),
    ]

    assert [answer.status_code for answer in answers] == [200] * len(answers)
