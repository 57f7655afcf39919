from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "moothall.councils"
    label = "councils"
