"""The demo petitions: Mootshire's scheme and ten petitions at every stage, made by the verbs."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from moothall.accounts.demo_data import demo_accounts
from moothall.accounts.models import User
from moothall.councils.demo_data import mootshire
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext
from moothall.meetings.models import Decision, Meeting
from moothall.petitions import demo_data, domain
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Obligation,
    PaperCount,
    Petition,
    PetitionScheme,
    Signature,
)

pytestmark = pytest.mark.django_db

T = demo_data.TITLES


@pytest.fixture
def county(settings):
    settings.HTTPS = False  # the demo accounts (the officer acts in the story) are made
    mootshire(DemoContext())
    demo_accounts(DemoContext())
    return Council.objects.get(slug="mootshire")


def _petition(key: str) -> Petition:
    return Petition.objects.get(title=T[key])


def _state(county) -> dict:
    return {
        "petitions": sorted(
            Petition.objects.filter(council=county).values_list("title", "status", "is_paper")
        ),
        "signatures": Signature.objects.filter(petition__council=county).count(),
        "obligations": Obligation.objects.filter(council=county).count(),
        "hearings": Hearing.objects.filter(petition__council=county).count(),
        "meetings": Meeting.objects.filter(council=county, source=demo_data.SOURCE).count(),
    }


def test_the_demo_step_builds_petitions_at_every_stage_quickly(county):
    started = time.monotonic()

    summary = demo_data.demo_petitions(DemoContext())

    assert time.monotonic() - started < 10
    assert summary.startswith(
        "Mootshire: 1 draft, 1 gathering sponsors, 1 awaiting moderation, 3 open, 1 closed, "
        "1 responded, 1 debated, 1 rejected; "
    )
    scheme = PetitionScheme.objects.get(council=county)
    assert (scheme.sponsors_required, scheme.response_threshold, scheme.debate_threshold) == (
        3,
        50,
        600,
    )
    assert {p.title: p.status for p in Petition.objects.filter(council=county)} == {
        T["draft"]: "draft",
        T["sponsors"]: "gathering_sponsors",
        T["moderation"]: "awaiting_moderation",
        T["library"]: "open",
        T["bins"]: "open",
        T["skatepark"]: "debated",
        T["potholes"]: "responded",
        T["parking"]: "closed",
        T["rejected"]: "rejected",
        T["paper"]: "open",
    }
    # The demo resident finds their own draft.
    assert _petition("draft").creator.email == "resident@mootshire.example"


def test_the_open_petition_has_hundreds_of_signatures_over_the_county_and_a_flood(county):
    demo_data.demo_petitions(DemoContext())
    library = _petition("library")

    by_ward = domain.count_by_ward(library)

    # 340 invented signers, the 10 confirmed of the flood, 3 sponsors and one more signer.
    assert domain.live_count(library) == 354
    assert sum(domain.exact_counts(library).values()) == 354
    assert len([ward for ward, _ in by_ward if ward is not None]) >= 15
    assert Signature.objects.filter(petition=library, flagged=True).count() == 10
    assert sorted(AbuseAlert.objects.filter(petition=library).values_list("kind", flat=True)) == [
        "address",
        "domain",
    ]
    assert (timezone.now() - library.opened_at).days == 40
    respond = library.obligations.get(kind="respond")
    hear = library.obligations.get(kind="hear")
    assert respond.is_overdue()
    assert hear.owner == User.objects.get(email="officer@mootshire.example")


def test_the_stories_after_publication_are_told_by_the_verbs(county):
    demo_data.demo_petitions(DemoContext())
    bins, skatepark = _petition("bins"), _petition("skatepark")
    potholes, rejected, paper = _petition("potholes"), _petition("rejected"), _petition("paper")

    assert sorted((o.kind, o.fulfilled_at is None) for o in bins.obligations.all()) == [
        ("debate", True),
        ("hear", True),
        ("respond", False),
    ]
    debate = bins.hearings.get()
    assert (debate.kind, debate.agenda_item.meeting.source_id) == ("debate", "next")
    assert debate.agenda_item.meeting.start > timezone.now()
    heard = skatepark.hearings.get()
    assert heard.decision == Decision.objects.public().get(meeting=heard.agenda_item.meeting)
    assert heard.agenda_item.meeting.start < timezone.now()
    assert skatepark.obligations.get(kind="debate").fulfilled_at is not None
    assert potholes.response.startswith("Station Road is in this year's resurfacing programme.")
    assert rejected.rejection_reason.startswith("The scheme does not accept petitions about")
    assert paper.is_paper
    assert PaperCount.objects.get(petition=paper).count == 212
    assert Signature.objects.filter(petition=paper, channel="paper").count() == 160
    # Entered on paper: no online sponsors, only what was typed in and the verified count.
    assert domain.live_count(paper) == 160 + 212
    assert _petition("parking").obligations.count() == 0
    # Nobody invented is ever emailed about the demo.
    assert not Signature.objects.filter(petition__council=county, wants_updates=True).exists()


def test_running_the_step_again_changes_nothing(county):
    demo_data.demo_petitions(DemoContext())
    before = _state(county)

    again = demo_data.demo_petitions(DemoContext())

    assert again == "already built (version 1): 10 petitions of Mootshire"
    assert _state(county) == before


def test_a_new_version_of_the_demo_replaces_the_old_one(county, monkeypatch):
    demo_data.demo_petitions(DemoContext())
    before = _state(county)
    monkeypatch.setattr(demo_data, "VERSION", "2")

    summary = demo_data.demo_petitions(DemoContext())

    assert summary.startswith("Mootshire: 1 draft")
    after = _state(county)
    assert after["petitions"] == before["petitions"]
    assert after["meetings"] == before["meetings"] == 2
    assert after["hearings"] == before["hearings"] == 2


def test_without_mootshire_the_step_says_so(db):
    assert demo_data.demo_petitions(DemoContext()) == (
        "skipped: no council 'mootshire' (the Mootshire step makes it)"
    )
