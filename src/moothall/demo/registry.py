"""Demo steps: each app adds its own demo content by registering a step here.

An app puts a ``demo_data.py`` module beside its models with functions
decorated ``@demo_step(order=N)``. ``python -m moothall demo`` imports every
installed app's ``demo_data`` and runs the steps in order. Steps must be
deterministic and idempotent: running the demo twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

StepFunction = Callable[["DemoContext"], str]


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    run: StepFunction


@dataclass
class DemoContext:
    """What a step may want: where to print, and how chatty to be."""

    verbosity: int = 1


_steps: dict[str, Step] = {}


def demo_step(order: int) -> Callable[[StepFunction], StepFunction]:
    """Register a demo step; it returns a one-line summary of what it made."""

    def register(function: StepFunction) -> StepFunction:
        name = f"{function.__module__}.{function.__qualname__}"
        _steps[name] = Step(order=order, name=name, run=function)
        return function

    return register


def steps() -> list[Step]:
    autodiscover_modules("demo_data")
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
