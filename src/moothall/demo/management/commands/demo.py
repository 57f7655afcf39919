from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from moothall.demo.registry import DemoContext, steps


class Command(BaseCommand):
    help = (
        "Load the demo area: the fictional two-tier county of Mootshire (councils, wards, "
        "councillors, postcodes) and a few real councils. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        context = DemoContext(verbosity=options["verbosity"])
        for step in steps():
            summary = step.run(context)
            if options["verbosity"]:
                self.stdout.write(f"{step.name.rsplit('.', 1)[-1]}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo area ready."))
