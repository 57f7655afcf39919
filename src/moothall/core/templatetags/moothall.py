from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from moothall.core.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    return render_markdown(value)
