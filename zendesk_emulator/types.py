"""The two values that cross between the transport layer and the account layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    base_url: str
    user_id: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter, as Zendesk reads repeated parameters."""
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class ApiResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
