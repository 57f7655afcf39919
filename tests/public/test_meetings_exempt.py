"""Exempt business (Schedule 12A) never reaches a public channel: one test per channel.

The scene holds an exempt item and sub-item, an exempt paper under the item and an exempt
letter on the meeting, an exempt vote, an exempt decision and a declaration about the
exempt item, all carrying the word in ``SECRET``.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.public.meetings_scene import SECRET, Scene, build_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident) -> Scene:
    return build_scene(council, resident)


def _absent(response, status: int = 200) -> None:
    assert response.status_code == status
    assert SECRET.encode() not in response.content
    assert SECRET.lower().encode() not in response.content.lower()


def test_the_meeting_page_shows_exempt_items_only_by_number_and_paragraph(client, scene):
    response = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    _absent(response)
    assertContains(
        response,
        "3. Exempt item – not for publication (Schedule 12A paragraph 3)",
    )
    assertNotContains(response, f"/documents/{scene.secret_pdf.pk}/")
    assertNotContains(response, f"/documents/{scene.secret_letter.pk}/")
    assertNotContains(response, f"/decisions/{scene.secret_decision.pk}/")
    assertNotContains(response, f'id="vote-{scene.secret_vote.pk}"')
    assertNotContains(response, "Knows Mr")  # Ben's declaration about the exempt item
    assert [t.vote for t in response.context["vote_tables"]] == [scene.vote]


def test_the_meeting_lists_bodies_and_take_part_pages_hold_nothing_exempt(client, scene, resident):
    for url in [
        "/mootshire/meetings/",
        "/mootshire/meetings/?when=past",
        "/mootshire/bodies/",
        "/mootshire/bodies/planning-committee/",
        "/mootshire/forward-plan/",
        "/mootshire/",
    ]:
        _absent(client.get(url))
    client.force_login(resident)
    _absent(client.get(f"/mootshire/meetings/{scene.held.pk}/take-part/"))


def test_the_decisions_list_holds_no_exempt_decision_and_its_page_is_not_found(client, scene):
    listing = client.get("/mootshire/decisions/")

    _absent(listing)
    assert list(listing.context["page"].object_list) == [scene.decision]
    _absent(client.get(f"/mootshire/decisions/{scene.secret_decision.pk}/"), status=404)
    _absent(client.get(f"/mootshire/decisions/{scene.decision.pk}/"))


def test_exempt_document_pages_and_files_are_not_found(client, scene):
    for document in (scene.secret_pdf, scene.secret_letter):
        _absent(client.get(f"/mootshire/documents/{document.pk}/"), status=404)
        _absent(client.get(f"/mootshire/documents/{document.pk}/file"), status=404)


def test_the_councillor_page_holds_no_exempt_vote(client, scene):
    response = client.get(f"/mootshire/councillors/{scene.ben.pk}-ben-brook/")

    _absent(response)
    assert [record.vote for record in response.context["votes"]] == [scene.vote]


def test_the_atom_feeds_hold_nothing_exempt(client, scene):
    for url in [
        "/mootshire/feeds/meetings.atom",
        "/mootshire/feeds/decisions.atom",
        "/mootshire/feeds/documents.atom",
    ]:
        _absent(client.get(url))


def test_the_calendars_hold_nothing_exempt(client, scene, settings):
    from django.utils import timezone

    # Bring the held meeting within the calendars' window.
    scene.held.start = timezone.now()
    scene.held.save()

    council_calendar = client.get("/mootshire/meetings.ics")
    body_calendar = client.get("/mootshire/bodies/planning-committee/meetings.ics")

    _absent(council_calendar)
    _absent(body_calendar)
    assert f"meeting-{scene.held.pk}@".encode() in council_calendar.content


def test_the_sitemap_holds_nothing_exempt(client, scene):
    response = client.get("/sitemap.xml")

    _absent(response)
    body = response.content.decode()
    assert f"/mootshire/decisions/{scene.decision.pk}/" in body
    assert f"/mootshire/decisions/{scene.secret_decision.pk}/" not in body
    assert f"/mootshire/documents/{scene.report_pdf.pk}/" in body
    assert f"/mootshire/documents/{scene.secret_pdf.pk}/" not in body
    assert f"/mootshire/documents/{scene.secret_letter.pk}/" not in body


def test_an_item_made_exempt_later_takes_its_papers_votes_and_decisions_with_it(client, scene):
    from moothall.meetings import domain

    domain.update_agenda_item(None, scene.report, kind="exempt", exempt_paragraph=1)

    page = client.get(f"/mootshire/meetings/{scene.held.pk}/")

    assertNotContains(page, "Bins in Moot Ward")
    assertNotContains(page, "Bins report")
    assertNotContains(page, "When will the bins be collected?")
    assertNotContains(page, "Lives on a collection round.")
    assertNotContains(page, "Weekly bin")  # nor the timeline entry naming its decision
    assertContains(page, "2. Exempt item – not for publication (Schedule 12A paragraph 1)")
    assert page.context["vote_tables"] == []
    assert client.get(f"/mootshire/decisions/{scene.decision.pk}/").status_code == 404
    assert client.get(f"/mootshire/documents/{scene.report_pdf.pk}/file").status_code == 404
    assert b"Bins report" not in client.get("/mootshire/feeds/documents.atom").content
    assert b"Weekly bin" not in client.get("/mootshire/feeds/decisions.atom").content


def test_a_paper_with_its_own_exempt_paragraph_stays_private_on_a_public_item(client, scene):
    from moothall.meetings import domain

    appendix = domain.attach_document(
        None,
        scene.council,
        data=b"<!DOCTYPE html><html><body>Secretsby appendix</body></html>",
        title=f"{SECRET} confidential appendix",
        kind="appendix",
        agenda_item=scene.report,
        exempt_paragraph=3,
    )
    domain.update_agenda_item(None, scene.report, title="Bins in Moot Ward (revised)")

    _absent(client.get(f"/mootshire/meetings/{scene.held.pk}/"))
    _absent(client.get(f"/mootshire/documents/{appendix.pk}/"), status=404)
    _absent(client.get(f"/mootshire/documents/{appendix.pk}/file"), status=404)
    _absent(client.get("/mootshire/feeds/documents.atom"))
    _absent(client.get("/sitemap.xml"))
