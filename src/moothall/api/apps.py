from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "moothall.api"
    label = "api"
