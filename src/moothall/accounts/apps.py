from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "moothall.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from moothall.accounts.adapter import drop_unproven_password

        email_confirmed.connect(drop_unproven_password, dispatch_uid="moothall_unproven_password")

        # Every app's privacy.py declares its personal data (accounts.privacy).
        from moothall.accounts.privacy import ensure_loaded

        ensure_loaded()
