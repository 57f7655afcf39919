"""Mootshire's open business for the browser tests: the public pages' scene, and a little more.

On top of ``tests.public.meetings_scene`` (the Planning Committee's meeting held on
14 March 2024, with its agenda, papers, votes, attendance, declarations, an exempt item
and its timeline; an upcoming, a cancelled and a postponed meeting in March 2030):

- ``late``: a meeting held on Thursday 11 April 2024 whose agenda went out on 9 April,
  after its deadline, for "Street lighting contract"; the key decision taken on it had
  no notice in the forward plan and no exception (``lacks_notice``).
- the upcoming meeting (14 March 2030) has a published agenda (apologies and "Library
  opening hours"), so residents can ask to speak on an item; Sid Speaker has sent a
  deputation the clerk has not decided yet.
- ``soon``: a meeting two days from now with one item and no agenda yet: its deadline
  has passed, so publishing it asks for the reason it is late.
- the forward plan has one key decision to come (library opening hours, June 2030).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.utils import timezone

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.meetings import domain
from moothall.meetings.models import (
    AgendaItem,
    Decision,
    ForwardPlanEntry,
    Meeting,
    Membership,
    PublicSubmission,
)
from tests import factories
from tests.public.meetings_scene import LONDON, Scene, build_scene

LATE_START = dt.datetime(2024, 4, 11, 18, 30, tzinfo=LONDON)
LATE_PUBLISHED_AT = dt.datetime(2024, 4, 9, 9, 0, tzinfo=LONDON)
LATE_REASON = "The contractor's offer ends on 12 April."


@dataclass
class BrowserScene:
    public: Scene
    late: Meeting
    lighting: AgendaItem
    lacking_notice: Decision
    library: AgendaItem
    pending: PublicSubmission
    soon: Meeting
    plan_entry: ForwardPlanEntry
    membership: Membership

    @property
    def council(self) -> Council:
        return self.public.council


def mootshire() -> Council:
    """The council every persona of ``tests/conftest.py`` works at (made here for a live server,
    whose tests need a transactional database)."""
    return cast(
        Council,
        factories.CouncilFactory(
            name="Mootshire County Council", short_name="Mootshire", slug="mootshire", tier="county"
        ),
    )


def build_browser_scene(council: Council, resident: User) -> BrowserScene:
    public = build_scene(council, resident)
    body = public.body

    late = domain.create_meeting(None, body, start=LATE_START, venue="Council Chamber, Moot Hall")
    lighting = domain.add_agenda_item(
        None, late, title="Street lighting contract", lead_officer="Lee Lamp"
    )
    domain.publish_agenda(None, late, late_reason=LATE_REASON, now=LATE_PUBLISHED_AT)
    lacking_notice = domain.record_decision(
        None,
        council,
        title="Award the street lighting contract",
        text="Resolved: award the lanterns contract to Brightway.",
        decision_maker="Planning Committee",
        decided_on=LATE_START.date(),
        agenda_item=lighting,
        is_key_decision=True,
        now=LATE_START,
    )

    upcoming = public.upcoming
    domain.add_agenda_item(None, upcoming, title="Apologies", kind="apologies")
    library = domain.add_agenda_item(None, upcoming, title="Library opening hours")
    domain.publish_agenda(None, upcoming)
    sid = factories.UserFactory(email="sid.speaker@example.org", name="Sid Speaker")
    pending = domain.submit_to_meeting(
        sid,
        upcoming,
        kind="deputation",
        text="The Friends of Moot Library ask to keep Saturday opening.",
        display_name="Sid Speaker",
    )

    in_two_days = timezone.localdate() + dt.timedelta(days=2)
    soon = domain.create_meeting(
        None,
        body,
        start=dt.datetime.combine(in_two_days, dt.time(18, 30), tzinfo=LONDON),
        venue="Moot Hall",
    )
    domain.add_agenda_item(None, soon, title="Flooding on Mill Lane")

    plan_entry = domain.add_forward_plan_entry(
        None,
        council,
        title="Library opening hours from September 2030",
        summary="Whether the libraries open on Saturdays.",
        decision_maker="Cabinet",
        body=body,
        expected_date=dt.date(2030, 6, 6),
        lead_officer="Lee Librarian",
    )

    late.refresh_from_db()
    lacking_notice.refresh_from_db()
    return BrowserScene(
        public=public,
        late=late,
        lighting=lighting,
        lacking_notice=lacking_notice,
        library=library,
        pending=pending,
        soon=soon,
        plan_entry=plan_entry,
        membership=body.memberships.get(councillor=public.ben),
    )
