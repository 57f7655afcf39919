"""Background work for deliberation: recomputing a conversation's opinion map.

Votes and moderation call :func:`moothall.deliberation.domain.request_analysis` after
commit, which enqueues :func:`analyse_conversation` at most once per conversation per
worker process per debounce window; the task calls one verb. A sweep every minute
recomputes conversations whose analysis is out of date (a lost task, a crashed worker).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from moothall.core import schedule
from moothall.deliberation import domain
from moothall.deliberation.domain import request_analysis, run_analysis
from moothall.deliberation.models import Analysis, Conversation, Status

# Requests older than this are left alone (their task ran, or the conversation is quiet).
SWEEP_WINDOW = dt.timedelta(days=1)

__all__ = ["analyse_conversation", "request_analysis", "run_analysis", "sweep_analyses"]


@task()
def analyse_conversation(conversation_id: int) -> int | None:
    """Recompute one conversation's analysis unless nothing changed since the stored one
    began (another worker got there first). Returns the votes counted, None when skipped
    or the conversation is gone."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or domain.analysis_is_current(conversation):
        return None
    return domain.run_analysis(conversation).votes_counted


@schedule.every(minutes=1)
@task()
def sweep_analyses() -> int:
    """Recompute open (and lately closed) conversations whose analysis is out of date."""
    done = 0
    newer = Analysis.objects.filter(
        conversation=OuterRef("pk"),
        mode=OuterRef("mode"),
        computed_at__gte=OuterRef("analysis_requested_at"),
    )
    asked = Conversation.objects.filter(
        status__in=[Status.OPEN, Status.CLOSED],
        analysis_requested_at__gte=timezone.now() - SWEEP_WINDOW,
    ).exclude(Exists(newer))
    for conversation in asked.iterator():
        if not domain.analysis_is_current(conversation):
            domain.run_analysis(conversation)
            done += 1
    return done
