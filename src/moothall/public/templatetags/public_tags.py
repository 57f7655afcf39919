from __future__ import annotations

import re

from django import template

register = template.Library()

_NOT_DIALLABLE = re.compile(r"[^0-9+]")


@register.filter
def tel_href(phone: str) -> str:
    """A tel: link for a phone number as people write it ("01234 567 890" → tel:01234567890)."""
    digits = _NOT_DIALLABLE.sub("", phone or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def is_https(url: str) -> bool:
    """Only https images are shown: a plain http one would be mixed content."""
    return str(url or "").lower().startswith("https://")
