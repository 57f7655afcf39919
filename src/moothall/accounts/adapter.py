from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Moothall's hooks into allauth (kept small; allauth does the work)."""
