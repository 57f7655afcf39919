from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "moothall.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Each app's search.py registers its content (moothall.search.registry).
        autodiscover_modules("search")
        post_migrate.connect(_install_engine, sender=self, dispatch_uid="moothall.search.install")


def _install_engine(using: str = "default", **kwargs: Any) -> None:
    """Put back the SQLite FTS triggers if a migration rebuilt the entry table."""
    from django.db import connections

    from moothall.search.backends import sqlite

    db = connections[using]
    if db.vendor == "sqlite" and "search_entry" in db.introspection.table_names():
        sqlite.install(db)
