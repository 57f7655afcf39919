from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "moothall.staff"
    label = "staff"
