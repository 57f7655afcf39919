from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PopulationConfig(AppConfig):
    name = "moothall.population"
    verbose_name = _("Population and representativeness")
