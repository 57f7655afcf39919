"""Consultations in the API (read-only): surveys, deliberations and their published results."""

from __future__ import annotations

from ninja import Router

from moothall.api.deliberation_api import deliberation_router
from moothall.api.survey_api import survey_router

consultations_router = Router(tags=["Consultations"])
consultations_router.add_router("", survey_router)
consultations_router.add_router("", deliberation_router)
