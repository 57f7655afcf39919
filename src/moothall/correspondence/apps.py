from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondenceConfig(AppConfig):
    name = "moothall.correspondence"
    verbose_name = _("Write to your councillor")
