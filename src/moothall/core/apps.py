from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "moothall.core"
    label = "core"
