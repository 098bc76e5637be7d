"""Fast weighted and uniform draws from a `random.Random`, for generating millions of rows.

`random.choices` rebuilds its cumulative weights on every call and `randint` loops on `getrandbits`;
at tens of millions of draws that is most of the generator's time. A `Weighted` keeps its cumulative
weights, and `between` scales one `random()` (the bias, below 2^-40 for these ranges, is invisible).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Items with weights, drawn in O(log n) from precomputed cumulative weights."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        self.items = tuple(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Weighted[T]:
        """Build from (item, weight) pairs."""
        return cls([p[0] for p in pairs], [p[1] for p in pairs])

    def draw(self, rng: random.Random) -> T:
        """Return one item, chosen with probability proportional to its weight."""
        index = bisect.bisect(self.cum, rng.random() * self.total)
        return self.items[index if index < len(self.items) else -1]  # random() * total may round up to total

    def draw_among_first(self, rng: random.Random, count: int) -> T:
        """Return one of the first `count` items (count ≥ 1), weighted among themselves."""
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[count - 1], 0, count - 1)]


def between(rng: random.Random, low: int, high: int) -> int:
    """Return an integer in [low, high], uniformly."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """Return one item of a non-empty sequence, uniformly."""
    return items[int(rng.random() * len(items))]
