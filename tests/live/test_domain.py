"""The clerk runs a meeting live: start, move through the agenda, adjourn, resume, end,
and post on the live blog. Each step keeps the spans, the timeline and the stream."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from moothall.core.models import AuditEntry
from moothall.live import domain
from moothall.live.models import BlogPost, ItemSpan, LiveEvent, LiveMeeting, LiveSettings
from moothall.meetings import domain as meetings
from moothall.meetings.models import Meeting, TimelineEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=body, agenda_published_at=timezone.now())
    factories.AgendaItemFactory(meeting=meeting, title="Apologies", position=0)
    factories.AgendaItemFactory(meeting=meeting, title="Library opening hours", position=1)
    factories.AgendaItemFactory(
        meeting=meeting, title="Sale of the depot", position=2, kind="exempt", exempt_paragraph=3
    )
    factories.AgendaItemFactory(meeting=meeting, title="Any other business", position=3)
    meetings.renumber(meeting)
    return meeting


def items(meeting):
    return list(meeting.items.order_by("sort_key"))


def events(meeting):
    return [(e.kind, e.data) for e in LiveEvent.objects.filter(meeting=meeting).order_by("seq")]


def kinds(meeting):
    return list(meeting.timeline.order_by("at", "pk").values_list("kind", flat=True))


def spans(meeting):
    return list(
        ItemSpan.objects.filter(meeting=meeting)
        .order_by("started_at", "pk")
        .values_list("item__title", "ended_at")
    )


def picture(*, gps: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


# --- Starting -------------------------------------------------------------------


def test_the_clerk_starts_a_meeting_before_its_first_item(officer, meeting):
    live = domain.start_live(officer, meeting)

    assert live.status == "live"
    assert live.current_item is None
    assert kinds(meeting) == ["live_started"]
    assert events(meeting) == [("state", {"status": "live", "private": False, "item": None})]
    assert AuditEntry.objects.filter(action="live.start_live", actor=officer).count() == 1
    assert domain.live_state(meeting) == {"status": "live", "private": False, "item": None}


def test_a_meeting_not_yet_live_says_so(meeting):
    assert domain.live_state(meeting) == {"status": "not_started", "private": False, "item": None}
    assert domain.is_private(meeting) is False


def test_a_meeting_goes_live_once(officer, meeting):
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError, match="already gone live") as caught:
        domain.start_live(officer, meeting)
    assert caught.value.code == "already_live"
    assert LiveMeeting.objects.count() == 1
    assert LiveEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [("cancelled", "cancelled"), ("postponed", "postponed"), ("held", "held")],
)
def test_a_meeting_that_is_not_on_cannot_go_live(officer, meeting, status, code):
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        domain.start_live(officer, meeting)
    assert caught.value.code == code
    assert not LiveMeeting.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_a_meeting_without_a_published_agenda_cannot_go_live(officer, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=None)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="Publish the agenda") as caught:
        domain.start_live(officer, meeting)
    assert caught.value.code == "agenda_not_published"
    assert not LiveMeeting.objects.exists()


# --- Moving through the agenda -----------------------------------------------------


def test_next_takes_the_first_item_then_the_following_ones(officer, meeting):
    first, second, *_ = items(meeting)
    domain.start_live(officer, meeting)

    live = domain.next_item(officer, meeting)
    assert live.current_item == first
    live = domain.next_item(officer, meeting)
    assert live.current_item == second

    assert kinds(meeting) == [
        "live_started",
        "item_started",
        "item_ended",
        "item_started",
    ]
    assert [s[0] for s in spans(meeting)] == ["Apologies", "Library opening hours"]
    assert spans(meeting)[0][1] is not None
    assert spans(meeting)[1][1] is None
    assert events(meeting)[1:] == [
        (
            "state",
            {
                "status": "live",
                "private": False,
                "item": {"id": first.pk, "number": "1", "title": "Apologies"},
            },
        ),
        (
            "state",
            {
                "status": "live",
                "private": False,
                "item": {"id": second.pk, "number": "2", "title": "Library opening hours"},
            },
        ),
    ]
    started = meeting.timeline.filter(kind="item_started").last()
    assert started.item == second
    assert started.is_public
    assert started.details == {"number": "2", "title": "Library opening hours"}
    assert started.describe() == "Item 2 started: Library opening hours."


def test_events_are_numbered_in_order(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    domain.next_item(officer, meeting)
    assert list(LiveEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert LiveMeeting.objects.get(meeting=meeting).last_seq == 3


def test_next_refuses_to_go_past_the_last_item(officer, meeting):
    *_, last = items(meeting)
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, last)
    before = LiveEvent.objects.count()
    with pytest.raises(ValidationError, match="last item") as caught:
        domain.next_item(officer, meeting)
    assert caught.value.code == "last_item"
    assert LiveEvent.objects.count() == before


def test_next_on_an_empty_agenda_says_so(officer, council):
    meeting = factories.MeetingFactory(body__council=council, agenda_published_at=timezone.now())
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError, match="no items"):
        domain.next_item(officer, meeting)


def test_previous_goes_back_one_item(officer, meeting):
    first, second, *_ = items(meeting)
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, second)
    live = domain.previous_item(officer, meeting)
    assert live.current_item == first
    # An item taken twice has two spans.
    domain.next_item(officer, meeting)
    assert [s[0] for s in spans(meeting)] == [
        "Library opening hours",
        "Apologies",
        "Library opening hours",
    ]


def test_previous_refuses_before_the_first_item(officer, meeting):
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError) as caught:
        domain.previous_item(officer, meeting)
    assert caught.value.code == "no_previous"
    domain.next_item(officer, meeting)
    with pytest.raises(ValidationError, match="first item") as caught:
        domain.previous_item(officer, meeting)
    assert caught.value.code == "first_item"


def test_going_to_the_current_item_again_changes_nothing(officer, meeting):
    first = items(meeting)[0]
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, first)
    before = (LiveEvent.objects.count(), TimelineEntry.objects.count())
    domain.go_to_item(officer, meeting, first)
    assert (LiveEvent.objects.count(), TimelineEntry.objects.count()) == before


def test_an_item_of_another_meeting_is_refused(officer, meeting):
    other = factories.AgendaItemFactory(meeting__body=meeting.body)
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError) as caught:
        domain.go_to_item(officer, meeting, other)
    assert "item" in caught.value.message_dict


def test_moving_before_going_live_is_refused(officer, meeting):
    with pytest.raises(ValidationError, match="not gone live") as caught:
        domain.next_item(officer, meeting)
    assert caught.value.code == "not_live"


# --- Private session -------------------------------------------------------------


def test_an_exempt_item_is_a_private_session_without_its_title(officer, meeting):
    _, second, exempt, last = items(meeting)
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, second)
    domain.go_to_item(officer, meeting, exempt)

    assert domain.is_private(meeting) is True
    state = domain.live_state(meeting)
    assert state == {"status": "live", "private": True, "item": {"id": exempt.pk, "number": "3"}}
    assert events(meeting)[-1] == ("state", state)
    entry = meeting.timeline.get(kind="item_started", item=exempt)
    assert not entry.is_public
    assert entry.details == {"number": "3", "title": ""}
    assert entry.describe() == "Item 3 started."
    assert "Sale of the depot" not in str(list(LiveEvent.objects.values_list("data", flat=True)))
    assert "Sale of the depot" not in str(
        list(TimelineEntry.objects.values_list("details", flat=True))
    )

    domain.go_to_item(officer, meeting, last)
    ended = meeting.timeline.get(kind="item_ended", item=exempt)
    assert not ended.is_public
    assert ended.details["title"] == ""
    assert domain.is_private(meeting) is False
    assert domain.live_state(meeting)["item"]["title"] == "Any other business"


def test_an_adjourned_meeting_on_an_exempt_item_still_hides_its_title(officer, meeting):
    exempt = items(meeting)[2]
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, exempt)
    domain.adjourn(officer, meeting)
    state = domain.live_state(meeting)
    assert state == {
        "status": "adjourned",
        "private": False,
        "item": {"id": exempt.pk, "number": "3"},
    }


# --- Adjourning, resuming, ending --------------------------------------------------


def test_adjourning_closes_the_span_and_resuming_opens_a_new_one(officer, meeting):
    first = items(meeting)[0]
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)

    live = domain.adjourn(officer, meeting, reason="Fire alarm")
    assert live.status == "adjourned"
    assert all(ended is not None for _, ended in spans(meeting))
    entry = meeting.timeline.get(kind="adjourned")
    assert entry.details == {"reason": "Fire alarm"}
    assert entry.describe() == "The meeting was adjourned. Reason: Fire alarm"
    assert events(meeting)[-1] == (
        "state",
        {
            "status": "adjourned",
            "private": False,
            "item": {"id": first.pk, "number": "1", "title": "Apologies"},
        },
    )

    live = domain.resume(officer, meeting)
    assert live.status == "live"
    assert [s[0] for s in spans(meeting)] == ["Apologies", "Apologies"]
    assert spans(meeting)[-1][1] is None
    assert kinds(meeting)[-2:] == ["adjourned", "resumed"]
    assert events(meeting)[-1][1]["status"] == "live"


def test_adjourning_twice_or_resuming_a_sitting_meeting_is_refused(officer, meeting):
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError, match="not adjourned"):
        domain.resume(officer, meeting)
    domain.adjourn(officer, meeting)
    with pytest.raises(ValidationError, match="already adjourned"):
        domain.adjourn(officer, meeting)


def test_moving_while_adjourned_starts_the_item_on_resuming(officer, meeting):
    first, second, *_ = items(meeting)
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, first)
    domain.adjourn(officer, meeting)
    domain.go_to_item(officer, meeting, second)
    assert [s[0] for s in spans(meeting)] == ["Apologies"]
    domain.resume(officer, meeting)
    assert [s[0] for s in spans(meeting)] == ["Apologies", "Library opening hours"]


def test_a_long_reason_for_adjourning_is_refused(officer, meeting):
    domain.start_live(officer, meeting)
    with pytest.raises(ValidationError) as caught:
        domain.adjourn(officer, meeting, reason="x" * 2001)
    assert "reason" in caught.value.message_dict
    assert LiveMeeting.objects.get().status == "live"


def test_ending_closes_the_span_and_marks_the_meeting_held(officer, meeting):
    first = items(meeting)[0]
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, first)

    live = domain.end_live(officer, meeting)
    assert live.status == "ended"
    assert live.ended_at is not None
    assert live.current_item is None
    assert all(ended is not None for _, ended in spans(meeting))
    assert kinds(meeting)[-2:] == ["item_ended", "live_ended"]
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert events(meeting)[-1] == ("state", {"status": "ended", "private": False, "item": None})
    assert meeting.timeline.get(kind="live_ended").describe() == "The meeting ended."


def test_an_adjourned_meeting_can_be_ended(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    domain.adjourn(officer, meeting)
    domain.end_live(officer, meeting)
    # No second "item ended": the item ended when the meeting adjourned.
    assert kinds(meeting)[-2:] == ["adjourned", "live_ended"]


@pytest.mark.parametrize(
    "verb",
    [
        lambda a, m: domain.next_item(a, m),
        lambda a, m: domain.previous_item(a, m),
        lambda a, m: domain.go_to_item(a, m, m.items.first()),
        lambda a, m: domain.adjourn(a, m),
        lambda a, m: domain.resume(a, m),
        lambda a, m: domain.end_live(a, m),
    ],
    ids=["next", "previous", "go_to", "adjourn", "resume", "end"],
)
def test_nothing_moves_once_the_meeting_has_ended(officer, meeting, verb):
    domain.start_live(officer, meeting)
    domain.end_live(officer, meeting)
    before = LiveEvent.objects.count()
    with pytest.raises(ValidationError, match="has ended") as caught:
        verb(officer, meeting)
    assert caught.value.code == "ended"
    assert LiveEvent.objects.count() == before


def test_the_whole_run_leaves_a_readable_public_timeline(officer, meeting):
    domain.start_live(officer, meeting)
    for _ in range(4):
        domain.next_item(officer, meeting)
    domain.end_live(officer, meeting)
    public = [e.describe() for e in meeting.timeline.filter(is_public=True).order_by("at", "pk")]
    assert public == [
        "The meeting started.",
        "Item 1 started: Apologies.",
        "Item 1 ended: Apologies.",
        "Item 2 started: Library opening hours.",
        "Item 2 ended: Library opening hours.",
        "Item 4 started: Any other business.",
        "Item 4 ended: Any other business.",
        "The meeting ended.",
    ]


def test_every_step_is_audited(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    domain.next_item(officer, meeting)
    domain.previous_item(officer, meeting)
    domain.go_to_item(officer, meeting, items(meeting)[3])
    domain.adjourn(officer, meeting, reason="Tea")
    domain.resume(officer, meeting)
    domain.end_live(officer, meeting)
    assert list(
        AuditEntry.objects.filter(action__startswith="live.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "live.start_live",
        "live.next_item",
        "live.next_item",
        "live.previous_item",
        "live.go_to_item",
        "live.adjourn",
        "live.resume",
        "live.end_live",
    ]


def test_events_are_published_after_commit(
    officer, meeting, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("moothall.live.broker.publish", lambda mid, wire: sent.append((mid, wire)))
    with django_capture_on_commit_callbacks(execute=True):
        domain.start_live(officer, meeting)
    assert sent == [
        (
            meeting.pk,
            '{"seq":1,"kind":"state","data":{"status":"live","private":false,"item":null}}',
        )
    ]


# --- Live blog -------------------------------------------------------------------


def test_an_officer_posts_markdown_with_a_link(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    post = domain.post_blog(
        officer, meeting, text="The chair **welcomes** everyone.", link="https://example.org/a"
    )

    assert post.author == officer
    assert post.item == items(meeting)[0]
    kind, data = events(meeting)[-1]
    assert kind == "blog"
    assert data == {
        "id": post.pk,
        "html": "<p>The chair <strong>welcomes</strong> everyone.</p>",
        "link": "https://example.org/a",
        "photo_url": "",
        "photo_alt": "",
        "item_id": items(meeting)[0].pk,
        "at": post.created_at.isoformat(),
    }
    assert AuditEntry.objects.filter(action="live.post_blog").count() == 1


def test_blog_html_is_sanitised(officer, meeting):
    domain.start_live(officer, meeting)
    domain.post_blog(officer, meeting, text="<script>alert(1)</script>[x](javascript:alert(1))")
    html = events(meeting)[-1][1]["html"]
    assert "<script" not in html
    assert "javascript:" not in html


def test_a_post_on_an_exempt_item_does_not_name_the_item(officer, meeting):
    exempt = items(meeting)[2]
    domain.start_live(officer, meeting)
    domain.go_to_item(officer, meeting, exempt)
    domain.post_blog(officer, meeting, text="The public has been excluded.")
    assert events(meeting)[-1][1]["item_id"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "ftp://example.org/"}, "link"),
        ({"link": "https://example.org/" + "a" * 500}, "link"),
        ({"photo": b"MZ\x90\x00 not a picture"}, "photo"),
        ({"photo": picture()}, "photo_alt"),
    ],
)
def test_bad_blog_posts_are_refused(officer, meeting, changes, field):
    domain.start_live(officer, meeting)
    arguments = {"text": "Hello", **changes}
    with pytest.raises(ValidationError) as caught:
        domain.post_blog(officer, meeting, **arguments)
    assert field in caught.value.message_dict
    assert not BlogPost.objects.exists()
    assert LiveEvent.objects.count() == 1


def test_blogging_before_the_meeting_is_live_is_refused(officer, meeting):
    with pytest.raises(ValidationError, match="not gone live"):
        domain.post_blog(officer, meeting, text="Hello")


def test_a_closing_post_after_the_end_is_allowed(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    domain.end_live(officer, meeting)
    post = domain.post_blog(officer, meeting, text="Minutes to follow.")
    assert post.item is None


def test_a_photo_is_stored_under_a_random_name_without_its_metadata(officer, meeting):
    domain.start_live(officer, meeting)
    post = domain.post_blog(
        officer, meeting, text="The chamber", photo=picture(gps=True), photo_alt="The chamber"
    )
    assert post.photo.name.startswith("live/")
    assert post.photo.name.endswith(".jpg")
    with post.photo.open("rb") as f, Image.open(f) as stored:
        assert not stored.getexif()
    data = events(meeting)[-1][1]
    assert data["photo_alt"] == "The chamber"
    try:
        from django.urls import reverse

        expected = reverse(
            "public:live_blog_photo",
            kwargs={"council": meeting.council.slug, "pk": meeting.pk, "post_id": post.pk},
        )
    except Exception:  # the photo view belongs to another part of the work
        expected = ""
    assert data["photo_url"] == expected


def test_removing_a_post_takes_it_off_the_blog_and_deletes_its_photo(
    officer, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("moothall.live.broker.publish", lambda mid, wire: None)
    domain.start_live(officer, meeting)
    post = domain.post_blog(officer, meeting, text="Oops", photo=picture(), photo_alt="A room")
    name, storage = post.photo.name, post.photo.storage
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        removed = domain.remove_blog_post(officer, post, reason="Wrong meeting")

    assert removed.is_removed
    assert not removed.photo
    assert not storage.exists(name)
    assert events(meeting)[-1] == ("removed", {"what": "blog", "id": post.pk})
    audit = AuditEntry.objects.get(action="live.remove_blog_post")
    assert audit.details["reason"] == "Wrong meeting"
    with pytest.raises(ValidationError, match="already been removed"):
        domain.remove_blog_post(officer, removed)


# --- Settings --------------------------------------------------------------------


def test_the_council_admin_sets_moderation_and_limits(council_admin, council):
    settings = domain.update_live_settings(
        council_admin, council, comment_moderation="pre", comments_per_window=3, image_max_mb=5
    )
    assert settings.pk is not None
    saved = LiveSettings.for_council(council)
    assert (saved.comment_moderation, saved.comments_per_window, saved.image_max_mb) == (
        "pre",
        3,
        5,
    )
    assert AuditEntry.objects.filter(action="live.update_live_settings").count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"comment_moderation": "never"},
        {"comment_max_length": 10},
        {"video_max_mb": 5000},
    ],
)
def test_settings_out_of_range_are_refused(council_admin, council, changes):
    with pytest.raises(ValidationError):
        domain.update_live_settings(council_admin, council, **changes)
    assert not LiveSettings.objects.exists()


def test_an_unknown_setting_is_a_programming_error(council_admin, council):
    with pytest.raises(ValueError, match="cannot change"):
        domain.update_live_settings(council_admin, council, colour="red")


def test_an_officer_may_not_change_the_councils_live_policy(officer, council):
    with pytest.raises(PermissionDenied):
        domain.update_live_settings(officer, council, comment_moderation="pre")


def test_the_system_may_run_a_meeting(meeting):
    live = domain.start_live(None, meeting)
    assert live.status == "live"
    assert meeting.timeline.get().actor is None


def test_span_times_match_the_timeline(officer, meeting):
    domain.start_live(officer, meeting)
    domain.next_item(officer, meeting)
    domain.next_item(officer, meeting)
    span = ItemSpan.objects.order_by("started_at").first()
    ended = meeting.timeline.get(kind="item_ended")
    assert span.ended_at == ended.at
    assert span.ended_at - span.started_at >= dt.timedelta(0)
