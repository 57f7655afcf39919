"""Generated conversations with a known group structure, for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Synthetic:
    participants: np.ndarray  # one entry per vote
    statements: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray
    truth: np.ndarray  # the opinion group of each participant id (0 … n-1)


def synthetic_conversation(
    n_participants: int = 10_000,
    n_statements: int = 2_000,
    votes_per_participant: float = 100.0,
    n_groups: int = 4,
    *,
    pass_rate: float = 0.15,
    seed: int = 2050,
) -> Synthetic:
    """Votes of ``n_participants`` in ``n_groups`` opinion groups (sizes 40%, 30%, 20%,
    10% … renormalised) on ``n_statements``. Each group has a position in a 2-D opinion
    space and each statement a direction there: a member agrees with probability
    ``sigmoid(3 × position · direction)`` after passing with ``pass_rate``. How many
    statements a person votes on is Poisson with the given mean (at least one), and
    earlier statements are seen more often, as with routing. The same seed gives the same
    votes. Timestamps increase with each participant's votes (participants join in turn).
    """
    rng = np.random.default_rng(seed)
    shares = np.array([0.4, 0.3, 0.2, 0.1] + [0.1] * max(0, n_groups - 4))[:n_groups]
    shares = shares / shares.sum()
    truth = rng.choice(n_groups, size=n_participants, p=shares)
    angles = np.linspace(0, 2 * np.pi, n_groups, endpoint=False)
    positions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    directions = rng.normal(size=(n_statements, 2))
    # Earlier statements are shown more: popularity falls off gently with the number.
    popularity = 1.0 / (1.0 + np.arange(n_statements) / (n_statements / 4))
    popularity /= popularity.sum()
    counts = np.clip(rng.poisson(votes_per_participant, n_participants), 1, n_statements)
    people = np.repeat(np.arange(n_participants, dtype=np.int64), counts)
    # Distinct statements per person: a random score per (person, statement) drawn only
    # for a candidate pool, keeping the top ``count`` (Gumbel top-k sampling by weight).
    chosen = np.empty(people.size, dtype=np.int64)
    start = 0
    log_weight = np.log(popularity)
    for count in counts.tolist():
        keys = log_weight + rng.gumbel(size=n_statements)
        chosen[start : start + count] = np.argpartition(-keys, count - 1)[:count]
        start += count
    agree_p = 1.0 / (
        1.0 + np.exp(-3.0 * np.einsum("ij,ij->i", positions[truth[people]], directions[chosen]))
    )
    draw = rng.random(people.size)
    passes = rng.random(people.size) < pass_rate
    values = np.where(passes, 0, np.where(draw < agree_p, 1, -1)).astype(np.int64)
    timestamps = 1_700_000_000_000 + np.arange(people.size, dtype=np.int64) * 1000
    return Synthetic(people, chosen, values, timestamps, truth)
