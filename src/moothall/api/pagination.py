"""Limit/offset pagination with bounds, so no request can ask the database for the impossible."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT: int = settings.NINJA_PAGINATION_PER_PAGE
MAX_LIMIT: int = settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE
# Far beyond any real list, and well inside every database's 64-bit OFFSET.
MAX_OFFSET = 1_000_000


class LimitOffset(LimitOffsetPagination):
    """``?limit=&offset=``; answers ``{"items": [...], "count": <total matching>}``."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
