"""Sorted views of records, read forwards or backwards; every pagination style works on these.

A view is a numpy array of ascending uint64 keys. Time-ordered views pack `timestamp << 32 | index` so ties on the
timestamp break on the record index, exactly as Zendesk breaks them on id. Other views pack whatever orders them. The
record behind a key is `key & INDEX_MASK`. Views are rebuilt (and cached by the dataset's version) after a mutation,
so a cursor that holds a key stays meaningful across rebuilds.
"""

from __future__ import annotations

import numpy as np

INDEX_MASK = 0xFFFFFFFF


def pack(ts: np.ndarray, index: np.ndarray) -> np.ndarray:
    return (ts.astype(np.uint64) << np.uint64(32)) | index.astype(np.uint64)


def unpack(key: int) -> tuple[int, int]:
    return key >> 32, key & INDEX_MASK


class View:
    """Iteration order over sorted keys: ascending, or descending when `descending` (newest first)."""

    def __init__(self, keys: np.ndarray, descending: bool = False):
        self.keys = np.ascontiguousarray(keys, dtype=np.uint64)
        self.descending = descending

    def __len__(self) -> int:
        return len(self.keys)

    def slice(self, start: int, stop: int) -> list[int]:
        """Keys at iteration positions [start, stop)."""
        n = len(self.keys)
        start, stop = max(0, start), min(n, stop)
        if start >= stop:
            return []
        if self.descending:
            return self.keys[n - stop : n - start][::-1].tolist()
        return self.keys[start:stop].tolist()

    def position_after(self, key: int) -> int:
        """First iteration position whose key comes strictly after `key` in iteration order."""
        k = np.uint64(key)
        if self.descending:
            return len(self.keys) - int(np.searchsorted(self.keys, k, "left"))
        return int(np.searchsorted(self.keys, k, "right"))

    def position_of(self, key: int) -> int:
        """First iteration position whose key is `key` or comes after it in iteration order."""
        k = np.uint64(key)
        if self.descending:
            return len(self.keys) - int(np.searchsorted(self.keys, k, "right"))
        return int(np.searchsorted(self.keys, k, "left"))


def view_of(primary: np.ndarray, index: np.ndarray, descending: bool = False) -> View:
    keys = pack(primary, index)
    keys.sort()
    return View(keys, descending)
