"""Consultations in the API (read-only): surveys, deliberations and their published results."""

from __future__ import annotations

from ninja import Router

consultations_router = Router(tags=["Consultations"])
