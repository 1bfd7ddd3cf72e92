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
    """A bounded LRU of serialised records: a second sync of the same account skips generation entirely."""

    def __init__(self, capacity: int = 50_000):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key, value: bytes) -> bytes:
        self._items[key] = value
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()
