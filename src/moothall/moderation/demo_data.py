"""Demo: moderation at Brackenford, so the back-office and the public log have something in
them. Through the verbs (:mod:`moothall.moderation.domain`), acting as the demo's platform
admin: an advert left under an idea is reported by three residents, hidden under the spam
rule (a line in the public log) and its author warned; another comment and an idea wait
in the queue with a report each.

Runs after the ideas demo (it works on their comments); skipped without the demo accounts
(an HTTPS demo has none) and when the council already has reports.
"""

from __future__ import annotations

from django.db import transaction

from moothall.accounts.models import User
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext, demo_step
from moothall.ideas import domain as ideas
from moothall.ideas.models import Comment, Idea
from moothall.moderation import domain
from moothall.moderation.models import Flag

DEMO_COUNCIL = "brackenford"
ADMIN = "admin@moothall.example"
DEMO_RESIDENT = "resident@mootshire.example"
ADVERT = "Cheap garden furniture, 70% off this week only: see my page for details."


@demo_step(order=75)
def demo_moderation(context: DemoContext) -> str:
    """Reports, a hidden advert with its public log line and a warning at Brackenford."""
    council = Council.objects.filter(slug=DEMO_COUNCIL).first()
    admin = User.objects.filter(email=ADMIN).first()
    if council is None or admin is None:
        return "skipped: needs Brackenford and the demo accounts"
    if Flag.objects.filter(council=council).exists():
        return f"already there: {Flag.objects.filter(council=council).count()} reports"
    comments = list(
        Comment.objects.filter(idea__council=council, is_removed=False, author__isnull=False)
        .exclude(author__email=DEMO_RESIDENT)
        .select_related("idea__council", "author")
        .order_by("id")[:40]
    )
    # Residents who wrote comments (never the demo's own resident): one posts the advert,
    # three others report it.
    people = list(dict.fromkeys(comment.author for comment in comments))
    idea = Idea.objects.filter(council=council, hidden_at__isnull=True).order_by("id").first()
    if len(people) < 4 or idea is None:
        return "skipped: the ideas demo has not made enough comments"
    advertiser, reporters = people[0], people[1:4]
    reported = next(c for c in comments if c.author not in (advertiser, reporters[0]))
    with transaction.atomic():
        advert = ideas.comment(advertiser, comments[0].idea, body=ADVERT)
        for person in reporters:
            domain.flag(person, "idea_comment", advert, reason="spam")
        domain.hide(admin, "idea_comment", advert, rule="spam")
        domain.warn(
            admin,
            "idea_comment",
            advert,
            rule="spam",
            message="Please don't advertise here: comments are for the idea.",
        )
        domain.flag(reporters[0], "idea_comment", reported, reason="off_topic")
        domain.flag(
            next(person for person in reporters if person != idea.author),
            "idea",
            idea,
            reason="personal",
            note="It names the house it is about.",
        )
    return "3 reports on a hidden advert (its author warned); a comment and an idea reported"
