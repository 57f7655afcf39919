from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "moothall.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Each app's follow.py registers what people may follow (moothall.notifications.registry).
        autodiscover_modules("follow")
