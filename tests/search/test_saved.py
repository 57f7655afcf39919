"""Saved searches: a resident saves a search, sees and deletes it, and gets new matches by email."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from moothall.search.digests import send_digests
from moothall.search.models import SavedSearch
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_settling_margin(monkeypatch):
    # The digest leaves recent minutes for the next run; tests run in real time.
    monkeypatch.setattr("moothall.search.digests.SETTLE", dt.timedelta(0))


def test_someone_signed_out_is_asked_to_sign_in_to_save(client, archive):
    html = client.get("/search/", {"q": "mill"}).content.decode()
    assert (
        '<a class="govuk-link" href="/accounts/login/?next=/search/%3Fq%3Dmill">Sign in to save this search</a>'
        in html
    )
    response = client.post("/search/save/", {"q": "mill"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/search/save/"
    assert not SavedSearch.objects.exists()
    assert client.get("/search/saved/").url == "/accounts/login/?next=/search/saved/"


def test_a_resident_saves_a_search_with_its_filters(client, archive, resident):
    client.force_login(resident)
    html = client.get(
        "/search/", {"q": "waste", "council": "mootshire", "type": ["decision", "agenda_item"]}
    ).content.decode()
    assert '<input type="hidden" name="q" value="waste">' in html
    assert '<input type="hidden" name="council" value="mootshire">' in html
    assert '<input type="hidden" name="type" value="agenda_item">' in html
    response = client.post(
        "/search/save/",
        {
            "q": "waste",
            "council": "mootshire",
            "body": archive.planning.pk,
            "type": ["decision", "agenda_item"],
            "date_from": "2030-01-01",
        },
    )
    assert response.url == "/search/saved/"
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.query, saved.council.slug, saved.body, saved.kinds) == (
        resident,
        "waste",
        "mootshire",
        archive.planning,
        ["agenda_item", "decision"],
    )
    assert (saved.date_from, saved.date_to) == (dt.date(2030, 1, 1), None)
    html = client.get("/search/saved/").content.decode()
    assert "Search saved. We will email you when something new matches it." in html
    assert (
        '<a class="govuk-link" href="/search/?q=waste&amp;council=mootshire&amp;body='
        f'{archive.planning.pk}&amp;type=agenda_item&amp;type=decision&amp;date_from=2030-01-01">waste'
    ) in html
    assert "Mootshire County Council<br>" in html
    assert "Agenda item, Decision<br>" in html
    assert "From 1 January 2030<br>" in html


def test_saving_the_same_search_twice_keeps_one(client, council, resident):
    client.force_login(resident)
    client.post("/search/save/", {"q": "bins"})
    response = client.post("/search/save/", {"q": "bins"}, follow=True)
    assert SavedSearch.objects.count() == 1
    assert "You have already saved this search." in response.content.decode()


def test_a_malformed_search_cannot_be_saved(client, council, resident):
    client.force_login(resident)
    response = client.post("/search/save/", {"q": "bins OR"}, follow=True)
    assert not SavedSearch.objects.exists()
    assert (
        "This search could not be saved: OR needs a word or phrase on each side."
        in response.content.decode()
    )


def test_a_resident_deletes_their_saved_search_but_not_someone_elses(client, council, resident):
    other = factories.UserFactory(email="someone@example.org")
    theirs = SavedSearch.objects.create(user=other, query="parks")
    mine = SavedSearch.objects.create(user=resident, query="bins")
    client.force_login(resident)
    html = client.get("/search/saved/").content.decode()
    assert "parks" not in html
    assert client.post(f"/search/saved/{theirs.pk}/delete/").status_code == 404
    assert client.get(f"/search/saved/{mine.pk}/delete/").status_code == 405
    response = client.post(f"/search/saved/{mine.pk}/delete/", follow=True)
    assert (
        "Saved search deleted. We will not email you about it again." in response.content.decode()
    )
    assert list(SavedSearch.objects.values_list("query", flat=True)) == ["parks"]
    assert "You have no saved searches." in response.content.decode()


def test_the_account_page_links_to_saved_searches(client, resident):
    client.force_login(resident)
    html = client.get("/accounts/profile/").content.decode()
    assert (
        '<a class="govuk-link" href="/search/saved/" id="saved-searches">Your saved searches</a>'
        in html
    )


def _digest(capture):
    mail.outbox.clear()
    with capture(execute=True):
        summary = send_digests()
    return summary, list(mail.outbox)


def test_the_digest_sends_new_matches_once_and_then_nothing(
    scene, resident, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://moothall.example"
    old = scene.meeting()
    scene.item(old, "Old depot business")
    scene.publish(old)
    saved = SavedSearch.objects.create(user=resident, query="depot", council=scene.council)

    summary, sent = _digest(django_capture_on_commit_callbacks)
    assert (summary.searches, summary.sent, sent) == (1, 0, [])  # what was there before

    meeting = scene.meeting()
    item = scene.item(meeting, "Depot opening hours", "The depot opens at nine.")
    scene.item(meeting, "Sale of the depot", kind="exempt", exempt_paragraph=3)
    scene.publish(meeting)
    summary, sent = _digest(django_capture_on_commit_callbacks)
    assert summary.sent == 1
    [email] = sent
    assert email.to == ["rita.resident@example.org"]
    assert email.subject == "1 new result for “depot”"
    assert "- Depot opening hours\n" in email.body
    assert (
        "  Agenda item, Mootshire County Council, Planning Committee, 14 March 2030\n" in email.body
    )
    assert (
        f"  https://moothall.example/mootshire/meetings/{meeting.pk}/#item-{item.pk}\n"
        in email.body
    )
    assert "Sale of the depot" not in email.body  # exempt: never indexed, never sent
    assert "Old depot" not in email.body
    assert "See or delete your saved searches: https://moothall.example/search/saved/" in email.body
    before = saved.last_sent_at
    saved.refresh_from_db()
    assert saved.last_sent_at > before

    summary, sent = _digest(django_capture_on_commit_callbacks)
    assert (summary.sent, sent) == (0, [])


def test_the_digest_respects_the_saved_filters(scene, resident, django_capture_on_commit_callbacks):
    SavedSearch.objects.create(user=resident, query="depot", kinds=["decision"])
    meeting = scene.meeting()
    scene.item(meeting, "Depot opening hours")
    scene.publish(meeting)
    _, sent = _digest(django_capture_on_commit_callbacks)
    assert sent == []
    scene.decision("Depot to close", "Resolved: close the depot.")
    _, sent = _digest(django_capture_on_commit_callbacks)
    assert [email.subject for email in sent] == ["1 new result for “depot”"]


def test_the_digest_skips_inactive_people_and_runs_from_the_command(
    scene, resident, django_capture_on_commit_callbacks
):
    resident.is_active = False
    resident.save()
    SavedSearch.objects.create(user=resident, query="depot")
    meeting = scene.meeting()
    scene.item(meeting, "Depot opening hours")
    scene.publish(meeting)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_search_digests", stdout=out)
    assert out.getvalue() == "Saved searches: 0 run, 0 digests queued.\n"
    assert mail.outbox == []


def test_two_digest_runs_at_once_send_one_email(
    scene, resident, django_capture_on_commit_callbacks
):
    from moothall.search.digests import send_digest

    saved = SavedSearch.objects.create(user=resident, query="depot")
    meeting = scene.meeting()
    scene.item(meeting, "Depot opening hours")
    scene.publish(meeting)
    stale_copy = SavedSearch.objects.get(pk=saved.pk)
    until = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest(saved, until=until) is True
        assert send_digest(stale_copy, until=until) is False  # the window was claimed
    assert len(mail.outbox) == 1
