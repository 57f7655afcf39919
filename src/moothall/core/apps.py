from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "moothall.core"
    label = "core"

    def ready(self) -> None:
        from moothall.core.translation import prune_installed_languages

        prune_installed_languages()
