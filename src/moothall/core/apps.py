from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "moothall.core"
    label = "core"

    def ready(self) -> None:
        from django_tasks.signals import task_started

        from moothall.core.startup import settle_on_first_task
        from moothall.core.translation import prune_installed_languages

        prune_installed_languages()
        task_started.connect(settle_on_first_task, dispatch_uid="moothall.core.settle")
