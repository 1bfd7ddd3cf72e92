"""The two values that cross between the transport layer and the account layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, overload


class Headers(Protocol):
    """A request's headers as the emulator reads them: by name (the server's are case-insensitive)."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    base_url: str
    user_id: int | None = None
    headers: Headers = field(default_factory=dict[str, str])
    body: bytes = b""

    @overload
    def arg(self, name: str) -> str | None: ...
    @overload
    def arg(self, name: str, default: str) -> str: ...
    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter, as Zendesk reads repeated parameters."""
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class ApiResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
