from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "moothall.budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self) -> None:
        post_migrate.connect(_build_engine, sender=self, dispatch_uid="moothall.budgeting.engine")


def _build_engine(**kwargs: Any) -> None:
    """Build the result engine's compiled loop when migrations run (an install or upgrade
    runs them before anything else), so that it is in numba's cache before the first
    result is computed inside an officer's request; microseconds once built."""
    from moothall.budgeting.engine.rules import warm_up

    warm_up()
