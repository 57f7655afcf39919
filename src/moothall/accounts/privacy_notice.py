"""A council's privacy notice, built from its settings, and the verb that changes them.

The notice reads the real retention periods from the settings that drive the retention
tasks: the petition scheme's ``retention_days``, each budgeting process's
``keep_voters_days``, ``PrivacySettings.respondent_retention_days``, and the outbox's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from moothall.accounts.models import PrivacySettings
from moothall.accounts.rules import Action, can
from moothall.core.audit import changes as audit_changes
from moothall.core.audit import record, snapshot

EDITABLE = (
    "controller_name",
    "controller_address",
    "contact_email",
    "dpo_name",
    "dpo_email",
    "ico_registration",
    "respondent_retention_days",
    "extra_information",
)


def update_privacy_settings(actor: Any, council: Any, **changes: Any) -> PrivacySettings:
    """The council's admin sets what its privacy notice says about it as data controller,
    and how long consultation respondents stay linked to their accounts.

    Side effects: the settings row; an audit entry ``accounts.update_privacy_settings``
    with the changed fields before and after."""
    if not can(actor, Action.EDIT_COUNCIL, council):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"update_privacy_settings cannot change {sorted(unknown)}")
    with transaction.atomic():
        found = PrivacySettings.objects.select_for_update().filter(council=council).first()
        rules = found if found is not None else PrivacySettings(council=council)
        before = snapshot(rules, changes)
        for name, value in changes.items():
            setattr(rules, name, value)
        rules.full_clean(exclude=["council"])  # ValidationError, nothing written
        diff = audit_changes(before, rules, list(changes))
        if rules.pk is not None and not diff["after"]:
            return rules
        rules.save()
        record(
            "accounts.update_privacy_settings",
            actor=actor,
            council=council,
            target=council,
            **diff,
        )
    return rules


@dataclass
class Activity:
    name: Any
    collected: Any
    basis: Any
    kept: Any


@dataclass
class Notice:
    council: Any
    settings: PrivacySettings
    controller: str
    petition_days: int
    respondent_days: int
    budget_processes: list[tuple[str, int]] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    outbox_sent_days: int = 30
    outbox_failed_days: int = 90


PUBLIC_TASK = _(
    "Public task (UK GDPR Article 6(1)(e)): the council's functions, including democratic "
    "engagement (Data Protection Act 2018, section 8)."
)
POLITICAL = _(
    "What you sign, support or vote for may reveal political opinions (special category "
    "data): substantial public interest (UK GDPR Article 9(2)(g))."
)


def notice_for(council: Any) -> Notice:
    """Everything the council's privacy notice shows, read from its settings."""
    from moothall.budgeting.models import BudgetProcess, Phase
    from moothall.core.mail import KEEP_FAILED, KEEP_SENT
    from moothall.petitions.models import PetitionScheme

    settings = PrivacySettings.for_council(council)
    petition_days = PetitionScheme.for_council(council).retention_days
    processes = [
        (title, days)
        for title, days in BudgetProcess.objects.filter(council=council)
        .exclude(phase=Phase.DRAFT)
        .order_by("-created_at", "title")
        .values_list("title", "keep_voters_days")
    ]
    respondent_days = settings.respondent_retention_days
    until_deleted = _("Until you delete your account.")
    activities = [
        Activity(
            _("Your account"),
            _("Your email address, and if you give them your name and postcode."),
            _("Contract with you for the account; public task for checking who lives here."),
            until_deleted,
        ),
        Activity(
            _("Signing a petition"),
            _(
                "Your name, email address, postcode, whether you live, work or study here, "
                "and the internet address you signed from."
            ),
            POLITICAL,
            _("Deleted %(days)s days after the petition closes; the count stays.")
            % {"days": petition_days},
        ),
        Activity(
            _("Voting in participatory budgeting"),
            _("Which projects you chose, linked to your account so you vote once."),
            POLITICAL,
            _(
                "The link to you is deleted the number of days after the results are "
                "published shown below; the votes stay counted."
            ),
        ),
        Activity(
            _("Surveys and conversations"),
            _(
                "Your answers and votes, your ward, and any equality-monitoring answers "
                "you choose to give."
            ),
            _("Public task; equality-monitoring questions are optional."),
            _(
                "The link to you is deleted %(days)s days after the survey or conversation "
                "closes; answers and votes stay in the results."
            )
            % {"days": respondent_days},
        ),
        Activity(
            _("Ideas, comments, supports, questions and messages to councillors"),
            _("What you write and the name you show with it."),
            PUBLIC_TASK,
            _(
                "Published contributions stay after you delete your account, shown as "
                "“Former participant”; messages stay with the councillor without your "
                "name or postcode."
            ),
        ),
        Activity(
            _("Email updates and notifications"),
            _("What you follow and how often we email you."),
            _("Consent: you can stop them at any time."),
            until_deleted,
        ),
    ]
    return Notice(
        council=council,
        settings=settings,
        controller=settings.controller_name or council.name,
        petition_days=petition_days,
        respondent_days=respondent_days,
        budget_processes=processes,
        activities=activities,
        outbox_sent_days=KEEP_SENT.days,
        outbox_failed_days=KEEP_FAILED.days,
    )


__all__ = ["EDITABLE", "Notice", "ValidationError", "notice_for", "update_privacy_settings"]
