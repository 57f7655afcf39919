"""Junk sent to every petitions back-office form: a clear answer, never a 500, nothing written."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import AuditEntry
from moothall.petitions import domain
from moothall.petitions.models import (
    Hearing,
    Invalidation,
    Obligation,
    PaperCount,
    Petition,
    PetitionScheme,
    Signature,
)
from tests.staff.petitions_scene import build_scene

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    " ",
    "\x00",
    "nul\x00byte",
    "99999999999999999999999",
    "-1",
    "1.5",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x" * 30000,
    "\ud800",
    "١٢٣",
]
FORMS = {
    "moderate": ("{w}/moderate/", ["decision", "reason"]),
    "respond": ("{p}/respond/", ["response"]),
    "close": ("{p}/close/", ["reason"]),
    "place": ("{p}/place/", ["meeting", "kind", "title"]),
    "decision": ("{p}/hearings/{h}/decision/", ["decision", "outcome"]),
    "paper": ("{p}/paper/", ["signatures", "verified_count", "note"]),
    "assign": ("obligations/{ob}/assign/", ["owner", "back"]),
    "invalidate": (
        "{p}/invalidate/",
        ["ip_address", "email_domain", "flagged", "since", "until", "ids", "reason", "expected"],
    ),
    "scheme": ("scheme/", ["sponsors_required", "duration_days", "debate_threshold"]),
}


@pytest.fixture
def world(council, other_council, resident):
    scene = build_scene(council, other_council, resident)
    hearing = domain.place_petition_on_agenda(None, scene.library, scene.past, kind="hear")
    return {
        "p": scene.library.pk,
        "w": scene.waiting.pk,
        "ob": scene.library.obligations.get(kind="respond").pk,
        "h": hearing.pk,
    }


def _snapshot() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(Petition.objects.order_by("pk").values_list("pk", "status", "response")),
        list(Signature.objects.order_by("pk").values_list("pk", "status")),
        Hearing.objects.count(),
        list(Obligation.objects.order_by("pk").values_list("pk", "owner_id")),
        PaperCount.objects.count(),
        Invalidation.objects.count(),
        PetitionScheme.objects.count(),
    )


def _safe(value: str) -> str:
    # The test client encodes form data as UTF-8: a lone surrogate cannot be sent as is.
    return value.encode("utf-8", "replace").decode("utf-8")


@pytest.mark.parametrize("form", list(FORMS))
def test_junk_in_every_field_gets_a_clear_answer_and_a_refusal_writes_nothing(
    client, council_admin, world, form
):
    # Some junk is fine text (a response may well read "-1"): then the form saves it.
    # Whatever is refused is refused with a message, and nothing is written.
    client.force_login(council_admin)
    path, fields = FORMS[form]
    url = "/mootshire/staff/petitions/" + path.format(**world)

    answers = []
    for value in JUNK:
        before = _snapshot()
        response = client.post(url, {name: _safe(value) for name in fields})
        if response.status_code == 200:  # refused: with a message, and nothing written
            answers.append((200, bool(response.context["form"].errors), _snapshot() == before))
        else:
            answers.append((response.status_code, True, True))

    assert {status for status, _, _ in answers} <= {200, 302}
    assert all(explained and unchanged for _, explained, unchanged in answers)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.text(max_size=40), max_size=6),
    count=st.text(max_size=12),
)
def test_any_paper_entry_is_either_added_or_refused_with_a_message(
    client, council_admin, world, lines, count
):
    client.force_login(council_admin)
    url = "/mootshire/staff/petitions/{p}/paper/".format(**world)
    before = PaperCount.objects.count(), Signature.objects.count()

    response = client.post(
        url, {"signatures": _safe("\n".join(lines)), "verified_count": _safe(count)}
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert (PaperCount.objects.count(), Signature.objects.count()) == before


@pytest.mark.parametrize(
    "query", ["?page=abc", "?page=999", "?status=%00", "?show=%FF", "?page=-1"]
)
def test_odd_query_strings_on_the_lists_still_answer(client, council_admin, world, query):
    client.force_login(council_admin)

    answers = {
        path: client.get(f"/mootshire/staff/petitions/{path}{query}").status_code
        for path in ("", "moderation/", "obligations/", "{p}/invalidations/".format(**world))
    }

    assert set(answers.values()) == {200}


PAGES = [
    "",
    "?status=open",
    "moderation/",
    "obligations/",
    "obligations/?show=met",
    "obligations/{ob}/assign/",
    "scheme/",
    "{p}/",
    "{w}/moderate/",
    "{p}/moderate/",
    "{p}/respond/",
    "{p}/close/",
    "{p}/place/",
    "{p}/hearings/{h}/decision/",
    "{p}/paper/",
    "{p}/abuse/",
    "{p}/invalidate/",
    "{p}/invalidations/",
]


def test_every_page_keeps_to_the_csp_and_has_one_main_heading(client, council_admin, world):
    client.force_login(council_admin)
    urls = ["/mootshire/staff/petitions/" + path.format(**world) for path in PAGES]
    # The second step of invalidating, too.
    confirm = client.post(urls[16], {"ip_address": "203.0.113.9"}).content.decode()

    found = {}
    for url, page in [(url, client.get(url).content.decode()) for url in urls] + [
        ("confirm", confirm)
    ]:
        found[url] = (
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page),
            re.findall(r"\sstyle=", page),
            re.findall(r"\son[a-z]+=", page),
            page.count("<h1"),
        )

    assert found == dict.fromkeys([*urls, "confirm"], ([], [], [], 1))
