"""An election in the shape the rules need: budget, projects with costs, ballots as a sparse
voter × project structure (CSR arrays, grouped by project).

Construction is from plain Python data (see :class:`Election`) or from a parsed Pabulib file
(:meth:`Election.from_pb`). Money is kept exactly (``Fraction``) beside its ``float64`` copy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .pabulib import PbFile

Number = int | float | str | Decimal | Fraction
BALLOT_TYPES = ("approval", "cumulative", "ordinal", "choose-1", "scoring")


class ElectionError(ValueError):
    """Election data that the rules cannot use (one-line message)."""


def exact(value: Number | None, what: str = "value") -> Fraction:
    """A number as an exact fraction; floats are taken at their decimal text (0.1 → 1/10).
    Anything else (None included) is an ElectionError."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return Fraction(repr(value))
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError
            return Fraction(value)
        if isinstance(value, str):
            return Fraction(Decimal(value.strip()))
        if value is None:
            raise TypeError
        return Fraction(value)
    except (TypeError, ValueError, ArithmeticError):
        raise ElectionError(f"{what} is not a number: {value!r}") from None


class Election:
    """Budget, projects and ballots.

    ``projects``: ``{project_id: cost}`` or a sequence of ``(project_id, cost)``; the order is
    the projects' order (the last tie-breaker). ``ballots``: one entry per voter —
    for ``approval`` and ``choose-1`` an iterable of project ids; for ``cumulative`` and
    ``scoring`` a mapping ``{project_id: points}``; for ``ordinal`` a sequence of project ids,
    best first, scored Borda within the ballot (a ballot ranking k projects gives k points to
    its first, k-1 to its second, …, 1 to its last). Numbers may be int, str, Decimal,
    Fraction or float. Zero-point entries are dropped.
    """

    def __init__(
        self,
        budget: Number,
        projects: Mapping[str, Number | None] | Sequence[tuple[str, Number | None]],
        ballots: Sequence[Iterable[str] | Mapping[str, Number]],
        vote_type: str = "approval",
    ) -> None:
        if vote_type not in BALLOT_TYPES:
            raise ElectionError(f"unknown vote type {vote_type!r}")
        self.vote_type = vote_type
        self.budget = exact(budget, "budget")
        if self.budget <= 0:
            raise ElectionError("the budget must be positive")
        items = list(projects.items()) if isinstance(projects, Mapping) else list(projects)
        self.ids: list[str] = [str(pid) for pid, _ in items]
        self.index: dict[str, int] = {}
        for position, pid in enumerate(self.ids):
            if pid in self.index:
                raise ElectionError(f"project {pid!r} is listed twice")
            self.index[pid] = position
        self.costs: list[Fraction] = [exact(c, f"cost of project {p!r}") for p, c in items]
        for pid, cost in zip(self.ids, self.costs, strict=True):
            if cost <= 0:
                raise ElectionError(f"the cost of project {pid!r} must be positive")
        self.cost = np.array([float(c) for c in self.costs], dtype=np.float64)
        # The same money as whole numbers of 1/unit, for exact sums that are quick to take.
        self.unit = math.lcm(self.budget.denominator, *(c.denominator for c in self.costs))
        self.cost_units = [int(c * self.unit) for c in self.costs]
        self.n_voters = len(ballots)
        m = len(self.ids)
        entry_project: list[int] = []
        entry_voter: list[int] = []
        entry_points: list[Fraction] = []
        weighted = vote_type in ("cumulative", "scoring", "ordinal")
        for voter, ballot in enumerate(ballots):
            for pid, points in self._ballot_items(ballot, voter):
                found = self.index.get(str(pid))
                if found is None:
                    raise ElectionError(f"ballot {voter + 1} names unknown project {pid!r}")
                entry_project.append(found)
                entry_voter.append(voter)
                entry_points.append(points)
        order = np.argsort(np.asarray(entry_project, dtype=np.int64), kind="stable")
        proj = np.asarray(entry_project, dtype=np.int64)[order]
        self.voters = np.asarray(entry_voter, dtype=np.int64)[order]
        self.indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(proj, minlength=m), out=self.indptr[1:])
        for c in range(m):
            sl = self.voters[self.indptr[c] : self.indptr[c + 1]]
            if len(np.unique(sl)) != len(sl):
                raise ElectionError(f"a ballot names project {self.ids[c]!r} twice")
        self.weighted = weighted and any(p != 1 for p in entry_points)
        self.points_exact: list[Fraction] | None = (
            [entry_points[i] for i in order.tolist()] if self.weighted else None
        )
        self.points = (
            np.array([float(p) for p in self.points_exact], dtype=np.float64)
            if self.points_exact is not None
            else np.ones(len(self.voters), dtype=np.float64)
        )
        self.votes = np.diff(self.indptr)  # supporters per project
        self.score_exact: list[Fraction] = [
            sum(self.points_exact[self.indptr[c] : self.indptr[c + 1]], Fraction(0))
            if self.points_exact is not None
            else Fraction(int(self.votes[c]))
            for c in range(m)
        ]
        self.score = np.array([float(s) for s in self.score_exact], dtype=np.float64)

    def _ballot_items(
        self, ballot: Iterable[str] | Mapping[str, Number], voter: int
    ) -> list[tuple[str, Fraction]]:
        if self.vote_type in ("cumulative", "scoring"):
            if not isinstance(ballot, Mapping):
                raise ElectionError(f"ballot {voter + 1} must map projects to points")
            out = []
            for pid, points in ballot.items():
                value = exact(points, f"points on ballot {voter + 1}")
                if value < 0:
                    raise ElectionError(f"ballot {voter + 1} gives negative points")
                if value > 0:
                    out.append((str(pid), value))
            return out
        if isinstance(ballot, (str, bytes)):
            raise ElectionError(f"ballot {voter + 1} must be a collection of project ids")
        chosen = [str(p) for p in ballot]
        if self.vote_type == "choose-1" and len(chosen) > 1:
            raise ElectionError(f"ballot {voter + 1} chooses more than one project")
        if self.vote_type == "ordinal":
            k = len(chosen)
            return [(pid, Fraction(k - rank)) for rank, pid in enumerate(chosen)]
        return [(pid, Fraction(1)) for pid in chosen]

    @property
    def n_projects(self) -> int:
        return len(self.ids)

    def supporters(self, c: int) -> np.ndarray:
        return self.voters[self.indptr[c] : self.indptr[c + 1]]

    def tie_key(self, c: int) -> tuple[Fraction, int, int]:
        """equalshares.net: lower cost first, then more (initial) votes, then — where officials
        would draw lots — the projects' order."""
        return (self.costs[c], -int(self.votes[c]), c)

    @classmethod
    def from_pb(cls, pb: PbFile) -> Election:
        projects = [(p.project_id, p.cost) for p in pb.projects]
        ballots: list[Iterable[str] | Mapping[str, Number]]
        if pb.vote_type in ("cumulative", "scoring"):
            ballots = [dict(zip(v.projects, v.points or [], strict=True)) for v in pb.votes]
        else:
            ballots = [list(v.projects) for v in pb.votes]
        return cls(pb.budget, projects, ballots, vote_type=pb.vote_type)
