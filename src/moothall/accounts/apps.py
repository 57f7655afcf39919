from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "moothall.accounts"
    label = "accounts"
