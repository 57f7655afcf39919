"""Template tags other apps' pages use to show writing to councillors."""

from __future__ import annotations

from django import template

from moothall.correspondence.stats import ResponseRate, response_rate
from moothall.councils.models import Councillor

register = template.Library()


@register.simple_tag
def response_rate_of(councillor: Councillor) -> ResponseRate:
    """``{% response_rate_of councillor as rate %}``: their public response rate (one query)."""
    return response_rate(councillor)
