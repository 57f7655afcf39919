"""Retention (UK GDPR) for consultations: survey respondents and deliberation participants
are unlinked from their accounts a council-set time after the survey or conversation closes.

Petitions (``petitions.domain.purge_personal_data``) and participatory budgeting
(``budgeting.domain.purge_voters``) have their own verbs and settings; the privacy notice
reads all three.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from moothall.accounts.models import PrivacySettings


def purge_respondents(now: dt.datetime | None = None) -> int:
    """Unlink survey responses and deliberation participants from people's accounts once
    the survey or conversation has been closed longer than the council's
    ``PrivacySettings.respondent_retention_days``. Responses, answers, participants and
    votes stay, so results and analyses stay exact. Returns how many rows were unlinked.

    Side effects: ``surveys.Response.user`` and ``deliberation.Participant.user`` emptied.
    No audit entry (a system task; nothing about a person is recorded)."""
    from moothall.deliberation.models import Conversation, Participant
    from moothall.surveys.models import Response, Survey

    now = now or timezone.now()
    default = PrivacySettings._meta.get_field("respondent_retention_days").get_default()
    periods: dict[int, int] = dict(
        PrivacySettings.objects.values_list("council_id", "respondent_retention_days")
    )

    def due(council_id: int, closed_at: dt.datetime | None) -> bool:
        days = periods.get(council_id, default)
        return closed_at is not None and closed_at <= now - dt.timedelta(days=days)

    surveys = [
        pk
        for pk, council_id, closed_at in Survey.objects.filter(closed_at__isnull=False)
        .values_list("pk", "council_id", "closed_at")
        .iterator()
        if due(council_id, closed_at)
    ]
    conversations = [
        pk
        for pk, council_id, closed_at in Conversation.objects.filter(closed_at__isnull=False)
        .values_list("pk", "council_id", "closed_at")
        .iterator()
        if due(council_id, closed_at)
    ]
    # One UPDATE per model, whatever the number of closed surveys and conversations.
    with transaction.atomic():
        total = Response.objects.filter(survey_id__in=surveys, user__isnull=False).update(user=None)
        total += Participant.objects.filter(
            conversation_id__in=conversations, user__isnull=False
        ).update(user=None)
    return total
