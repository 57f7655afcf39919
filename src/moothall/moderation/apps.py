from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moothall.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Each app's moderation.py registers its kinds and spaces
        # (moothall.moderation.registry).
        autodiscover_modules("moderation")
