from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "moothall.public"
    label = "public"
