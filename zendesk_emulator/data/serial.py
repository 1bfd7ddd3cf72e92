"""JSON bytes, with orjson when installed (it is a dependency of airbyte-cdk) and the standard library otherwise."""

from __future__ import annotations

from collections import OrderedDict

try:
    import orjson

    def dumps(value) -> bytes:
        return orjson.dumps(value)

    def loads(data: bytes):
        return orjson.loads(data)
except ImportError:  # pragma: no cover - exercised only without orjson
    import json

    def dumps(value) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    def loads(data: bytes):
        return json.loads(data)


class BytesCache:
    """A bounded LRU of serialised records: a second read of the same records skips generation entirely.

    Bounded by total bytes (a million tickets would otherwise keep gigabytes alive).
    """

    def __init__(self, max_bytes: int = 96 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key, value: bytes) -> bytes:
        old = self._items.pop(key, None)
        if old is not None:
            self.size -= len(old)
        self._items[key] = value
        self.size += len(value)
        while self.size > self.max_bytes and self._items:
            self.size -= len(self._items.popitem(last=False)[1])
        return value

    def clear(self) -> None:
        self._items.clear()
        self.size = 0
