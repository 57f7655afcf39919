"""The crash test's database, built and read in a process of its own.

``python -m tests.crash.scene build N`` (with DATABASE_URL naming the crash test's own,
migrated database) makes one council where N signed-in residents may take part in every
write path that exists: a petition open for signatures, an idea to support and comment
on, a participatory budget in its voting phase, an open conversation to vote in, and a
live meeting taking comments.
It prints JSON: the ids and paths the load needs and a session cookie per resident.

``python -m tests.crash.scene check`` prints, as JSON, what the database holds of those
writes and of the email outbox, for the test to compare with what the server
acknowledged. ``python -m tests.crash.scene tokens`` prints pending signatures' tokens.
``python -m tests.crash.scene sweep`` queues the outbox sweep for the worker (what the
scheduler does every minute).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

COUNCIL_SLUG = "crashford"
# Residents who hear at once about what they follow (the rest get a daily digest).
IMMEDIATE = 4


def build(residents: int) -> dict[str, Any]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from moothall.deliberation import domain as deliberation
    from moothall.ideas import domain as ideas
    from moothall.notifications.models import NotificationSettings
    from moothall.petitions import domain as petitions
    from moothall.petitions.models import PetitionScheme
    from tests import factories
    from tests.budgeting.scene import MOOT_POSTCODE, build_scene
    from tests.live.contributions_scene import live_meeting

    council = factories.CouncilFactory(
        name="Crashford County Council",
        short_name="Crashford",
        slug=COUNCIL_SLUG,
        tier="county",
        gss_code="E10999001",
    )
    budget = build_scene(council)  # wards, postcodes (MOOT_POSTCODE in Moot Ward), voting
    proposer = factories.UserFactory(email="ida.idea@example.org", postcode=MOOT_POSTCODE)
    idea = ideas.propose_idea(proposer, council, title="Benches by the pond", body="Six.")
    PetitionScheme.objects.create(council=council, sponsors_required=0, pre_moderation=False)
    creator = factories.UserFactory(email="pat.petition@example.org", postcode=MOOT_POSTCODE)
    petition = petitions.start_petition(
        creator,
        council,
        title="Keep the pool open",
        action="Keep the swimming pool open.",
        creator_name="Pat Petition",
    )
    petition = petitions.submit_petition(creator, petition)
    conversation = deliberation.create_conversation(
        council, by=None, title="The town centre", description="What should change?"
    )
    statements = [
        deliberation.add_statement(conversation, text=text, is_seed=True)
        for text in ("More trees.", "Fewer cars.", "A market on Saturdays.")
    ]
    conversation = deliberation.open_conversation(conversation, by=None)
    meeting = live_meeting(council, comment_moderation="post")  # live, comments published

    people = []
    for n in range(residents):
        user = factories.UserFactory(
            email=f"resident{n}@crash.example.org", name=f"Resident {n}", postcode=MOOT_POSTCODE
        )
        if n >= IMMEDIATE:
            # A daily digest: what they follow does not email them at once (the load's
            # comments would otherwise send thousands of emails to the idea's supporters).
            NotificationSettings.objects.create(user=user, default_frequency="daily")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append({"id": user.pk, "session": session.session_key})
    return {
        "council": COUNCIL_SLUG,
        "postcode": MOOT_POSTCODE,
        "petition": petition.pk,
        "idea": idea.pk,
        "process": budget.process.slug,
        "budget": budget.whole.pk,
        "project": budget.projects["library"].pk,
        "conversation": conversation.slug,
        "statements": [s.pk for s in statements],
        "meeting": meeting.pk,
        "people": people,
    }


def check() -> dict[str, Any]:
    from moothall.budgeting.models import Ballot, BallotChoice
    from moothall.core.models import OutboxMessage
    from moothall.deliberation.models import Vote
    from moothall.ideas.models import Comment, Support
    from moothall.live.models import Comment as LiveComment
    from moothall.petitions.models import Signature

    return {
        "signatures": list(Signature.objects.values_list("email", "status", "token")),
        "supports": list(Support.objects.values_list("user_id", flat=True)),
        "comments": list(Comment.objects.values_list("body", flat=True)),
        "live_comments": list(LiveComment.objects.values_list("text", flat=True)),
        "ballots": list(Ballot.objects.values_list("voter_id", flat=True)),
        "ballot_choices": list(BallotChoice.objects.values_list("ballot__voter_id", "project_id")),
        "votes": list(Vote.objects.values_list("participant__user_id", "statement_id", "value")),
        "outbox": list(
            OutboxMessage.objects.values_list("pk", "to", "status", "attempts", "last_error")
        ),
    }


def tokens() -> list[str]:
    from moothall.petitions.models import Signature

    return list(Signature.objects.filter(status="pending").values_list("token", flat=True))


def sweep() -> str:
    from moothall.core.tasks import sweep_outbox

    return str(sweep_outbox.enqueue().id)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moothall.settings")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "build":
        from django.db import transaction

        with transaction.atomic():
            result: Any = build(int(sys.argv[2]))
    elif command == "check":
        result = check()
    elif command == "tokens":
        result = tokens()
    elif command == "sweep":
        result = sweep()
    else:
        raise SystemExit(f"unknown command {command}")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
