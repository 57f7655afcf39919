"""Who may use the petitions back-office, through the real URLs: a role × page matrix.

Moderators reach the list, the moderation queue and the abuse checks; officers and
council admins everything but the scheme, which is the council admin's; residents and
councillors nothing; anonymous visitors are sent to sign in; an officer of another
council is refused Mootshire's pages and cannot reach Mootshire's petitions through
Elsewhere's. Refused requests write nothing. Moderators never see signers' names or
email addresses.
"""

from __future__ import annotations

import pytest

from moothall.core.models import AuditEntry
from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Obligation,
    PaperCount,
    Petition,
    PetitionScheme,
    Signature,
)
from tests.staff.petitions_scene import SIGNERS, build_scene

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "resident", "councillor_user", "officer", "moderator", "council_admin",
            "outsider")  # fmt: skip

# Every page, by name: its path under /<council>/staff/petitions/, and what each persona
# gets from a GET, in the order of PERSONAS: anonymous, resident, councillor, officer,
# moderator, council admin, outsider (an officer of Elsewhere).
PAGES = {
    "petitions":     ("",                            (302, 403, 403, 200, 200, 200, 403)),
    "moderation":    ("moderation/",                 (302, 403, 403, 200, 200, 200, 403)),
    "obligations":   ("obligations/",                (302, 403, 403, 200, 403, 200, 403)),
    "assign":        ("obligations/{ob}/assign/",    (302, 403, 403, 200, 403, 200, 403)),
    "scheme":        ("scheme/",                     (302, 403, 403, 403, 403, 200, 403)),
    "enter_paper":   ("paper/",                      (302, 403, 403, 200, 403, 200, 403)),
    "workspace":     ("{p}/",                        (302, 403, 403, 200, 403, 200, 403)),
    "moderate":      ("{w}/moderate/",               (302, 403, 403, 200, 200, 200, 403)),
    "respond":       ("{p}/respond/",                (302, 403, 403, 200, 403, 200, 403)),
    "close":         ("{p}/close/",                  (302, 403, 403, 200, 403, 200, 403)),
    "place":         ("{p}/place/",                  (302, 403, 403, 200, 403, 200, 403)),
    "decision":      ("{p}/hearings/{h}/decision/",  (302, 403, 403, 200, 403, 200, 403)),
    "paper":         ("{p}/paper/",                  (302, 403, 403, 200, 403, 200, 403)),
    "abuse":         ("{p}/abuse/",                  (302, 403, 403, 200, 200, 200, 403)),
    "invalidate":    ("{p}/invalidate/",             (302, 403, 403, 200, 200, 200, 403)),
    "invalidations": ("{p}/invalidations/",          (302, 403, 403, 200, 200, 200, 403)),
}  # fmt: skip

# Valid POSTs that each write something when allowed, and who may make them (in the order
# of PERSONAS without anonymous: resident, councillor, officer, moderator, admin, outsider).
FORMS = {
    "moderate":   ("{w}/moderate/", {"decision": "publish"},           (403, 403, 302, 302, 302, 403)),
    "respond":    ("{p}/respond/", {"response": "We will keep it."},   (403, 403, 302, 403, 302, 403)),
    "close":      ("{p}/close/", {"reason": "The library is saved."},  (403, 403, 302, 403, 302, 403)),
    "place":      ("{p}/place/", {"meeting": "{m}", "kind": "hear"},   (403, 403, 302, 403, 302, 403)),
    "decision":   ("{p}/hearings/{h}/decision/", {"decision": "{d}"},  (403, 403, 302, 403, 302, 403)),
    "paper":      ("{p}/paper/", {"signatures": "Gil Green, MH3 3AB"}, (403, 403, 302, 403, 302, 403)),
    "assign":     ("obligations/{ob}/assign/", {"owner": "{officer}"}, (403, 403, 302, 403, 302, 403)),
    "enter_paper": ("paper/", {"title": "Sunday buses", "action": "Run them.",
                               "creator_name": "Harbour Residents"},
                    (403, 403, 302, 403, 302, 403)),
    "resolve":    ("{p}/alerts/{a}/resolve/", {},                      (403, 403, 302, 302, 302, 403)),
    "invalidate": ("{p}/invalidate/",
                   {"ip_address": "203.0.113.9", "reason": "A flood", "confirm": "True"},
                   (403, 403, 302, 302, 302, 403)),
    "scheme":     ("scheme/", {"allow_lives": "on", "sponsors_required": "0",
                               "duration_days": "30", "response_working_days": "10",
                               "hearing_working_days": "20", "debate_working_days": "20",
                               "obligation_owner": "Democratic Services",
                               "flag_per_address_per_hour": "20",
                               "alert_per_domain_per_hour": "30", "retention_days": "365"},
                   (403, 403, 403, 403, 302, 403)),
}  # fmt: skip
SIGNED_IN = PERSONAS[1:]


@pytest.fixture
def world(council, other_council, resident, officer, moderator, council_admin, outsider):
    scene = build_scene(council, other_council, resident)
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="hear")
    return scene, {
        "p": scene.library.pk,
        "w": scene.waiting.pk,
        "ob": scene.library.obligations.get(kind="respond").pk,
        "h": hearing.pk,
        "a": scene.address_alert.pk,
        "m": scene.meeting.pk,
        "d": scene.decision.pk,
        "officer": officer.pk,
    }


def _url(template: str, ids: dict[str, int], council: str = "mootshire") -> str:
    return f"/{council}/staff/petitions/" + template.format(**ids)


def _data(data: dict[str, str], ids: dict[str, int]) -> dict[str, str]:
    return {key: value.format(**ids) for key, value in data.items()}


def _snapshot() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(Petition.objects.order_by("pk").values_list("pk", "status", "response")),
        list(Signature.objects.order_by("pk").values_list("pk", "status")),
        Hearing.objects.filter(concluded_at__isnull=False).count(),
        Hearing.objects.count(),
        list(Obligation.objects.order_by("pk").values_list("pk", "owner_id")),
        list(AbuseAlert.objects.order_by("pk").values_list("pk", "resolved_at")),
        PaperCount.objects.count(),
        list(PetitionScheme.objects.order_by("pk").values_list("pk", "duration_days")),
    )


def _login(client, request, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_pages_the_matrix_says(client, request, world, persona):
    _scene, ids = world
    _login(client, request, persona)
    column = PERSONAS.index(persona)

    statuses = {page: client.get(_url(path, ids)).status_code for page, (path, _) in PAGES.items()}

    assert statuses == {page: row[column] for page, (_, row) in PAGES.items()}


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(client, world):
    _scene, ids = world
    urls = [_url(path, ids) for path, _ in PAGES.values()]

    answers = {url: (lambda r: (r.status_code, r["Location"]))(client.get(url)) for url in urls}

    assert answers == {url: (302, f"/accounts/login/?next={url}") for url in urls}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_refused_posts_change_nothing(client, request, world, persona):
    _scene, ids = world
    _login(client, request, persona)
    column = SIGNED_IN.index(persona)
    refused = {name: spec for name, spec in FORMS.items() if spec[2][column] == 403}
    before = _snapshot()

    statuses = {
        name: client.post(_url(path, ids), _data(data, ids)).status_code
        for name, (path, data, _) in refused.items()
    }

    assert statuses == dict.fromkeys(refused, 403)
    assert _snapshot() == before


def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, world):
    _scene, ids = world
    before = _snapshot()

    answers = {
        name: client.post(_url(path, ids), _data(data, ids))["Location"]
        for name, (path, data, _) in FORMS.items()
    }

    assert answers == {
        name: f"/accounts/login/?next={_url(path, ids)}" for name, (path, _, _) in FORMS.items()
    }
    assert _snapshot() == before


ALLOWED = [
    (name, persona)
    for name, (_, _, row) in FORMS.items()
    for persona, status in zip(SIGNED_IN, row, strict=True)
    if status == 302
]


@pytest.mark.parametrize(("name", "persona"), ALLOWED)
def test_each_allowed_post_writes_and_redirects(client, request, world, name, persona):
    _scene, ids = world
    _login(client, request, persona)
    path, data, _ = FORMS[name]
    before = AuditEntry.objects.count()

    response = client.post(_url(path, ids), _data(data, ids))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not response["Location"].startswith("/accounts/login/")
    assert AuditEntry.objects.count() > before


def test_an_outsider_cannot_reach_mootshires_petitions_through_their_own_council(
    client, outsider, world
):
    _scene, ids = world
    client.force_login(outsider)
    before = _snapshot()
    object_pages = {page: path for page, (path, _) in PAGES.items() if "{" in path}
    object_forms = {name: spec for name, spec in FORMS.items() if "{" in spec[0]}

    pages = {page: client.get(_url(path, ids, "elsewhere")).status_code
             for page, path in object_pages.items()}  # fmt: skip
    posts = {
        name: client.post(_url(path, ids, "elsewhere"), _data(data, ids)).status_code
        for name, (path, data, _) in object_forms.items()
    }

    assert pages == dict.fromkeys(object_pages, 404)
    assert posts == dict.fromkeys(object_forms, 404)
    assert _snapshot() == before


def test_an_officer_cannot_place_a_petition_at_another_councils_meeting(client, officer, world):
    scene, ids = world
    client.force_login(officer)
    before = _snapshot()

    response = client.post(
        _url("{p}/place/", ids), {"meeting": scene.elsewhere_meeting.pk, "kind": "hear"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "meeting": ["Choose the meeting that will consider the petition."]
    }
    assert _snapshot() == before


def test_an_officer_cannot_give_an_obligation_to_someone_of_another_council(
    client, officer, outsider, resident, world
):
    _scene, ids = world
    client.force_login(officer)
    before = _snapshot()

    answers = [
        client.post(_url("obligations/{ob}/assign/", ids), {"owner": person.pk})
        for person in (outsider, resident)
    ]

    assert [a.context["form"].errors for a in answers] == [
        {"owner": ["Choose an officer of this council."]}
    ] * 2
    assert _snapshot() == before


def test_unknown_petitions_hearings_alerts_and_obligations_are_not_found(client, officer, world):
    scene, ids = world
    client.force_login(officer)
    other_hearing = domain.place_petition_on_agenda(
        None, scene.elsewhere, scene.elsewhere_meeting, kind="hear"
    )

    statuses = [
        client.get("/mootshire/staff/petitions/999999/").status_code,
        client.get(f"/mootshire/staff/petitions/{scene.elsewhere.pk}/").status_code,
        client.get(_url("obligations/999999/assign/", ids)).status_code,
        # A hearing of another petition is not found through this one.
        client.get(_url(f"{{p}}/hearings/{other_hearing.pk}/decision/", ids)).status_code,
        client.post(_url("{w}/alerts/{a}/resolve/", ids)).status_code,
        client.get("/nowhere/staff/petitions/").status_code,
    ]

    assert statuses == [404] * 6


def test_resolving_an_alert_answers_only_post(client, moderator, world):
    _scene, ids = world
    client.force_login(moderator)

    assert client.get(_url("{p}/alerts/{a}/resolve/", ids)).status_code == 405


def _pages_a_moderator_may_open(ids: dict[str, int]) -> list[str]:
    column = PERSONAS.index("moderator")
    urls = [_url(path, ids) for path, row in PAGES.values() if row[column] == 200]
    return [
        *urls,
        _url("?status=open", ids),
        _url("{p}/invalidate/?ip_address=203.0.113.9", ids),
    ]


def test_moderators_never_see_signers_names_or_email_addresses(client, moderator, world):
    _scene, ids = world
    client.force_login(moderator)
    # Through the two-step invalidation too: the count, never the people.
    steps = [
        client.post(_url("{p}/invalidate/", ids), {"ip_address": "203.0.113.9"}),
        client.post(_url("{p}/invalidate/", ids), {"flagged": "on", "confirm": "True"}),
    ]
    pages = [client.get(url) for url in _pages_a_moderator_may_open(ids)] + steps

    assert {page.status_code for page in pages} == {200}
    seen = [
        (page.request["PATH_INFO"], value)
        for page in pages
        for person in SIGNERS
        for value in person
        if value in page.content.decode()
    ]
    assert seen == []


def test_the_abuse_view_tells_each_reader_what_they_see_and_why(client, moderator, officer, world):
    _scene, ids = world
    client.force_login(moderator)
    as_moderator = client.get(_url("{p}/abuse/", ids)).content.decode()
    client.force_login(officer)
    as_officer = client.get(_url("{p}/abuse/", ids)).content.decode()

    assert "As a moderator you see counts, internet addresses and email domains" in as_moderator
    assert "(data minimisation)" in as_moderator
    assert "Dan Flood" not in as_moderator
    assert "dan@spam.example" not in as_moderator
    assert "You see signers’ names and email addresses because you are an officer" in as_officer
    assert "Dan Flood" in as_officer
    assert "dan@spam.example" in as_officer


def test_the_dashboard_links_every_staff_role_to_the_petitions(
    client, officer, moderator, council_admin, world
):
    pages = {}
    for user in (officer, moderator, council_admin):
        client.force_login(user)
        pages[user.email] = client.get("/mootshire/staff/").content.decode()

    assert {
        email: 'href="/mootshire/staff/petitions/"' in page for email, page in pages.items()
    } == {
        officer.email: True,
        moderator.email: True,
        council_admin.email: True,
    }
