"""A Django email backend that sends through GOV.UK Notify.

Every message goes through one Notify email template whose content is just
personalisation: subject ``((subject))`` and body ``((body))``. Settings (see
``settings.py``): ``GOVUK_NOTIFY_API_KEY``, ``GOVUK_NOTIFY_TEMPLATE_ID`` and
``GOVUK_NOTIFY_BASE_URL``. A ``List-Unsubscribe`` header becomes Notify's
``one_click_unsubscribe_url`` (Notify then adds the RFC 8058 headers itself).

Notify sends from the service's own address and sets Reply-To only to an address
configured in Notify, so a message's From and Reply-To are not carried; nor are
attachments or HTML alternatives (the plain-text body is sent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

_UNSUBSCRIBE = re.compile(r"<(https?://[^>]+)>")


class NotifyError(Exception):
    """Notify refused a message or could not be reached (the outbox records the text)."""


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        *,
        api_key: str | None = None,
        template_id: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        fail_silently: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.GOVUK_NOTIFY_API_KEY
        self.template_id = template_id or settings.GOVUK_NOTIFY_TEMPLATE_ID
        self.base_url = base_url or settings.GOVUK_NOTIFY_BASE_URL
        self.timeout = timeout or settings.EMAIL_TIMEOUT or 30
        self.client: NotificationsAPIClient | None = None

    def open(self) -> bool:
        if self.client is not None:
            return False
        self.client = NotificationsAPIClient(
            self.api_key, base_url=self.base_url, timeout=self.timeout
        )
        return True

    def close(self) -> None:
        if self.client is not None:
            self.client.request_session.close()
            self.client = None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send each message to each of its recipients; return how many messages went."""
        if not email_messages:
            return 0
        opened = self.open()
        sent = 0
        try:
            for message in email_messages:
                try:
                    self._send(message)
                except Exception:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        finally:
            if opened:
                self.close()
        return sent

    def _send(self, message: EmailMessage) -> None:
        assert self.client is not None
        unsubscribe = ""
        for name, value in message.extra_headers.items():
            if name.lower() == "list-unsubscribe" and (match := _UNSUBSCRIBE.search(value)):
                unsubscribe = match.group(1)
        # One notification per address: Notify takes a single recipient.
        for recipient in message.recipients():
            try:
                self.client.send_email_notification(
                    email_address=parseaddr(recipient)[1],
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    one_click_unsubscribe_url=unsubscribe or None,
                )
            except APIError as exc:
                raise NotifyError(_explain(exc)) from exc


def _explain(exc: APIError) -> str:
    if exc.response is None:  # no answer at all: say why (refused, timed out, DNS …)
        return f"Notify could not be reached: {exc.__cause__ or exc.message}"
    detail = exc.message
    if isinstance(detail, list):  # Notify's [{"error": …, "message": …}]
        detail = "; ".join(f"{e.get('error')}: {e.get('message')}" for e in detail)
    return f"Notify answered {exc.status_code}: {detail}"
