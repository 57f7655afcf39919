from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "moothall.demo"
    label = "demo"
