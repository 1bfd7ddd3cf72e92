"""Helpers for resources derived from the ticket and user columns (ratings, activities, skips, side conversations,
organization memberships, audit logs): stable hashes, the columns as generated, and per-resource mutable state.

A derived record is a function of (seed, record index) through `unit`, never of a shared random stream, so it is
the same whichever order records are read in and whatever was mutated elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from .dataset import Dataset

_M64 = (1 << 64) - 1
T = TypeVar("T")


def _mix_int(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def unit(seed: int, salt: int, index: np.ndarray) -> np.ndarray:
    """A float in [0, 1) per index, fixed by (seed, salt, index) (splitmix64)."""
    with np.errstate(over="ignore"):
        x = np.asarray(index, dtype=np.uint64) + np.uint64(_mix_int(seed * 1_000_003 + salt))
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def unit1(seed: int, salt: int, index: int) -> float:
    """`unit` for one index, as a Python float (same value)."""
    x = _mix_int((index + _mix_int(seed * 1_000_003 + salt)) & _M64)
    return (x >> 11) / float(1 << 53)


def base_column(ds: Dataset, name: str) -> np.ndarray:
    """A ticket column as generated: mutations change `updated`, `generated` and `status` in place and keep the
    originals under `_base`; derived records (ratings, skips, side conversations) hang on the originals so a later
    update of the ticket does not move them."""
    def build() -> np.ndarray:
        column = getattr(ds.tickets.cols, name).copy()
        for index, extra in ds.tickets.overrides.items():
            saved = extra.get("_base")
            if saved and name in saved:
                column[index] = saved[name]
        return column

    return ds.cached(f"#base.{name}", build)


def state(ds: Dataset, name: str, factory: Callable[[], T]) -> T:
    """Mutable state a resource keeps across mutations (created, updated and deleted records), held by the catalog."""
    found = ds.catalog.state.get(name)
    if found is None:
        found = ds.catalog.state[name] = factory()
    return found  # type: ignore[return-value]


def end_of_data(ds: Dataset) -> int:
    """The last second of generated activity (later records come from mutations)."""
    return ds.catalog.end
