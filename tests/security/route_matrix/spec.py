"""The format of a row of the route × role matrix, and the role profiles rows use.

A row names one URL (its name with namespaces, as ``reverse`` takes it), how to build its
kwargs from the shared scene, and which roles may use it with GET and/or POST. Profiles are
frozensets of role names; ``staff(Action.X)`` is derived from ``accounts.rules.ALLOWED`` so
the matrix follows rules.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moothall.accounts.rules import ALLOWED, Action

# Every role the matrix tries, in this order. All but ``outsider`` and ``platform_admin``
# act at the scene's council (Mootshire); ``outsider`` is an officer of another council.
ROLES: tuple[str, ...] = (
    "anonymous",
    "resident",
    "councillor",
    "officer",
    "moderator",
    "council_admin",
    "outsider",
    "platform_admin",
)

Profile = frozenset[str]

ANYONE: Profile = frozenset(ROLES)
SIGNED_IN: Profile = frozenset(ROLES) - {"anonymous"}
NOBODY: Profile = frozenset()


def staff(action: Action) -> Profile:
    """The council roles rules.py allows ``action`` (at the scene's council) + platform admin."""
    return frozenset(str(kind) for kind in ALLOWED[action]) | {"platform_admin"}


def only(*roles: str) -> Profile:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return frozenset(roles)


Kwargs = Callable[[Any], Mapping[str, Any]]
Data = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Row:
    """One URL name and who may use it.

    ``get``/``post``: the roles allowed (a profile); None = that method is not part of the
    row (declare every method the view accepts). ``ok``: the statuses an allowed request may
    answer with (default GET (200,), POST (200, 302, 303, 400): a 400 is the view refusing
    the (empty or invalid) input after letting the role in); ``data``: the POST body, a dict
    or a function of the scene; ``query``: a query string appended to the URL;
    ``no_writes``: even an allowed request must write nothing (e.g. a form that is closed);
    ``variant``: a second row for the same route with another object (e.g. a draft, an
    exempt paper), named so (name, variant) stays unique.
    """

    name: str
    kwargs: Kwargs = field(default=lambda s: {})
    get: Profile | None = None
    post: Profile | None = None
    data: Data = field(default_factory=dict)
    ok: tuple[int, ...] | None = None
    query: str = ""
    no_writes: bool = False
    variant: str = ""
    note: str = ""

    def methods(self) -> list[tuple[str, Profile]]:
        found = []
        if self.get is not None:
            found.append(("get", self.get))
        if self.post is not None:
            found.append(("post", self.post))
        return found

    def ok_for(self, method: str) -> tuple[int, ...]:
        if self.ok is not None:
            return self.ok
        return (200,) if method == "get" else (200, 302, 303, 400)

    def body(self, scene: Any) -> Mapping[str, Any]:
        return self.data(scene) if callable(self.data) else self.data
