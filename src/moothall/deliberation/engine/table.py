"""The vote table: who voted what on which statement, the last vote of each pair only.

Participants and statements are kept as their own integer ids (Polis' ``pid`` and
``tid``), sorted, so everything downstream works in a canonical order whatever the order
the votes arrived in. Votes are three parallel arrays (row, column, value) sorted by row
then column, which is exactly a CSR matrix's layout: building the sparse matrices costs
one prefix sum, and no vote is ever looked at by a Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

AGREE, PASS, DISAGREE = 1, 0, -1

ArrayLike = Sequence[int] | np.ndarray


def _ids(values: ArrayLike, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{what} must be a flat sequence of integers")
    integral = array.size == 0 or np.issubdtype(array.dtype, np.integer)
    if not integral and not np.all(np.equal(np.mod(array, 1), 0)):
        raise ValueError(f"{what} must be integers")
    return array.astype(np.int64, copy=False)


def _index(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(unique sorted ids, index of each id in them)``; linear time for small ids."""
    if ids.size == 0:
        return ids.copy(), ids.copy()
    low, high = int(ids.min()), int(ids.max())
    if low >= 0 and high < 4 * ids.size + 1_000_000:
        # Dense ids (the usual case: 0, 1, 2 …): a presence mask and a prefix sum.
        present = np.zeros(high + 1, dtype=bool)
        present[ids] = True
        unique = np.flatnonzero(present).astype(np.int64)
        position = np.cumsum(present, dtype=np.int64) - 1
        return unique, position[ids]
    found = np.unique(ids, return_inverse=True)  # (a tuple target crashes mypy 1.19)
    return found[0].astype(np.int64), found[1].astype(np.int64)


@dataclass(frozen=True, eq=False)
class VoteTable:
    """A participant × statement table of votes (1 agree, -1 disagree, 0 pass).

    ``participants`` and ``statements`` are the sorted ids of everyone who voted and every
    statement voted on; ``rows``/``cols`` index into them and are sorted by (row, col), one
    entry per pair (the last vote). ``timestamps`` are those of the kept votes, if given.
    """

    participants: np.ndarray
    statements: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray | None = None

    @classmethod
    def from_arrays(
        cls,
        participants: ArrayLike,
        statements: ArrayLike,
        values: ArrayLike,
        timestamps: ArrayLike | None = None,
    ) -> VoteTable:
        """Build from parallel arrays of vote events. The last vote of each (participant,
        statement) pair counts: the latest timestamp when timestamps are given (equal
        timestamps: the later in the arrays), else the later in the arrays. Raises
        ValueError for arrays of different lengths or a value other than -1, 0, 1."""
        pids = _ids(participants, "participants")
        tids = _ids(statements, "statements")
        vals = _ids(values, "values")
        if not (pids.size == tids.size == vals.size):
            raise ValueError("participants, statements and values must have the same length")
        if vals.size and (vals.min() < -1 or vals.max() > 1):
            raise ValueError("votes must be -1 (disagree), 0 (pass) or 1 (agree)")
        stamps = None
        if timestamps is not None:
            stamps = _ids(timestamps, "timestamps")
            if stamps.size != pids.size:
                raise ValueError("timestamps must have one entry per vote")
        people, rows = _index(pids)
        topics, cols = _index(tids)
        key = rows * max(topics.size, 1) + cols
        if key.size > 1 and not bool(np.all(key[1:] > key[:-1])):
            # Sort by pair (stable: equal pairs stay in array order), then keep the last of
            # each run of equal pairs.
            order = np.argsort(key, kind="stable")
            key = key[order]
            last = np.ones(key.size, dtype=bool)
            last[:-1] = key[1:] != key[:-1]
            if stamps is not None and not last.all():
                # Changed votes: within each run of equal pairs the latest timestamp wins
                # (array order among equal timestamps). Only the runs are re-sorted.
                first = np.ones(key.size, dtype=bool)
                first[1:] = last[:-1]
                runs = np.flatnonzero(~(first & last))  # positions in runs of two or more
                originals = order[runs]
                order[runs] = originals[np.lexsort((originals, stamps[originals], key[runs]))]
            keep = order[last]
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
            if stamps is not None:
                stamps = stamps[keep]
        return cls(
            participants=people,
            statements=topics,
            rows=np.ascontiguousarray(rows, dtype=np.int64),
            cols=np.ascontiguousarray(cols, dtype=np.int64),
            values=np.ascontiguousarray(vals, dtype=np.int8),
            timestamps=stamps,
        )

    @classmethod
    def empty(cls) -> VoteTable:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, nothing, np.zeros(0, dtype=np.int8))

    # Sizes ----------------------------------------------------------------------------

    @property
    def n_participants(self) -> int:
        return int(self.participants.size)

    @property
    def n_statements(self) -> int:
        return int(self.statements.size)

    @property
    def n_votes(self) -> int:
        return int(self.values.size)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_participants, self.n_statements)

    def __repr__(self) -> str:
        return (
            f"VoteTable({self.n_participants} participants, {self.n_statements} statements, "
            f"{self.n_votes} votes)"
        )

    # Matrices -------------------------------------------------------------------------

    def indptr(self) -> np.ndarray:
        counts = np.bincount(self.rows, minlength=self.n_participants)
        indptr = np.zeros(self.n_participants + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr

    def matrix(self, data: np.ndarray | None = None) -> sp.csr_matrix:
        """The table as a CSR matrix: ``data`` per vote (default: the vote values as
        float64; passes are stored zeros, so use :meth:`voted` for who voted)."""
        values = self.values.astype(np.float64) if data is None else data
        return sp.csr_matrix((values, self.cols, self.indptr()), shape=self.shape, copy=False)

    def voted(self) -> sp.csr_matrix:
        """1.0 where a participant voted (agree, disagree or pass)."""
        return self.matrix(np.ones(self.n_votes, dtype=np.float64))

    def votes_per_participant(self) -> np.ndarray:
        return np.bincount(self.rows, minlength=self.n_participants)

    def votes_by_participant(self) -> dict[int, dict[int, int]]:
        """``{pid: {tid: value}}`` (for exports; not for the analysis itself)."""
        result: dict[int, dict[int, int]] = {}
        pids = self.participants[self.rows].tolist()
        tids = self.statements[self.cols].tolist()
        for pid, tid, value in zip(pids, tids, self.values.tolist(), strict=True):
            result.setdefault(pid, {})[tid] = value
        return result

    def without_statements(self, statements: Any) -> VoteTable:
        """The table without the votes on ``statements`` (ids); statements and
        participants left with no vote drop out."""
        drop = np.isin(self.statements, np.fromiter(statements, dtype=np.int64))
        if not drop.any():
            return self
        keep = ~drop[self.cols]
        return VoteTable.from_arrays(
            self.participants[self.rows[keep]],
            self.statements[self.cols[keep]],
            self.values[keep],
            None if self.timestamps is None else self.timestamps[keep],
        )
