"""The crash test's email backend: Django's file backend, a little slow, flushing each
message to its file as it is handed over (so a message counts as delivered the moment the
backend has it, as with a real provider).

The pause (``CRASH_MAIL_PAUSE`` seconds, default 0.02) stands in for a provider's answer
time: a batch of messages takes long enough to send that a kill can land in the middle of
it, between handing a message over and marking it sent.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def write_message(self, message: Any) -> None:
        super().write_message(message)
        self.stream.flush()
        time.sleep(float(os.environ.get("CRASH_MAIL_PAUSE", "0.02")))
