"""Which statement to show a participant next."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def choose_next(
    priority: Mapping[int, float],
    candidates: Sequence[int],
    rng: random.Random | None = None,
) -> int | None:
    """The next statement for a participant among ``candidates`` (accepted statements
    they have not voted on), or None when there are none.

    ``priority`` is an analysis' ``priority`` (statement number → weight; JSON keys as
    text are accepted). A candidate the analysis has not seen (a new statement) gets the
    highest priority of all, so new statements are shown soon. With ``rng`` the choice is
    random with probability proportional to priority (Polis' "semi-random" routing, so
    every statement keeps being seen); without, the highest priority, ties going to the
    lowest statement number.
    """
    if not candidates:
        return None
    weights = {int(key): float(value) for key, value in priority.items()}
    top = max((w for w in weights.values() if w > 0), default=1.0)
    options = sorted(set(candidates))
    scores = [max(weights[c], 0.0) if c in weights else top for c in options]
    if rng is None:
        best = max(scores)
        return next(c for c, s in zip(options, scores, strict=True) if s == best)
    total = sum(scores)
    if total <= 0:
        return rng.choice(options)
    return rng.choices(options, weights=scores, k=1)[0]
