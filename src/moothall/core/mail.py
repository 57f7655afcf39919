"""Email sent by verbs: rendered now (in the current language), sent by a task after commit.

A verb calls :func:`queue_email` inside its transaction; nothing is sent if the
transaction rolls back, and the web request never waits on the mail server.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


@task()
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send one plain-text email (the task behind :func:`queue_email`)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


def queue_email(to: str | list[str], template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and send them after commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(recipients, subject, body))
