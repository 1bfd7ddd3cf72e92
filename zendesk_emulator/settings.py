"""Runtime knobs of the transport (plan, speed of time, faults), validated once so the hot path can trust them.

`PUT /_emulator/settings` sends a partial JSON object; `Settings.updated` checks every key and value and returns a
new frozen `Settings`, or raises `SettingsError` (the control route turns it into a 400).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Requests per minute: (account-wide, incremental exports). None = no limit.
# https://developer.zendesk.com/api-reference/introduction/rate-limits/ ; the 30/min export limit on High Volume
# comes from third parties only (see notes/zendesk-api.md).
PLANS: dict[str, tuple[int | None, int | None]] = {
    "team": (200, 10),
    "growth": (400, 10),
    "professional": (400, 10),
    "enterprise": (700, 10),
    "high-volume": (2500, 30),
    "unlimited": (None, None),
}

# What Zendesk sells by plan: feature -> the plans that include it (a resource's declaration names the feature its
# routes need: resources/declaration.py `feature`). The plans are the Suite tiers
# (team < growth < professional < enterprise); high-volume and unlimited are enterprise accounts with other rate
# limits. Sources, Zendesk's API reference: ticket forms "Suite Growth+ / Support Enterprise"; SLA policies "Support
# Professional or Suite Growth plan or above"; custom roles "Accounts on the Enterprise plan or above"; audit logs
# "only available on the Enterprise plan"; side conversations need the Collaboration add-on (included from Suite
# Professional); skills-based routing is documented for Enterprise. Business hours and CSAT from Growth are Zendesk's
# plan pages, not the API reference. A missing feature answers the plan/role 403 (emulator.py; the per-feature body
# is not documented).
_GROWTH = ("growth", "professional", "enterprise", "high-volume", "unlimited")
_PROFESSIONAL = _GROWTH[1:]
_ENTERPRISE = _GROWTH[2:]
FEATURES: dict[str, tuple[str, ...]] = {
    "ticket_forms": _GROWTH,
    "sla_policies": _GROWTH,
    "business_hours": _GROWTH,
    "satisfaction_ratings": _GROWTH,
    "side_conversations": _PROFESSIONAL,
    "custom_roles": _ENTERPRISE,
    "audit_logs": _ENTERPRISE,
    "skills_based_routing": _ENTERPRISE,
    # "Support Enterprise plans and Zendesk Suite Team plans and above" (custom objects API introduction): every plan.
    "custom_objects": ("team", *_GROWTH),
}
# The account switches that turn Help Center (its community with it) or the community off.
GUIDE_SWITCHES = ("help_center", "community")

# Every fault kind the transport can inject; faults.py documents what each one puts on the wire.
FAULT_KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "504",
    "504_html",
    "429",
    "reset",
    "truncate",
    "incomplete",
    "slow",
)
NO_FAULT = "ok"


class SettingsError(ValueError):
    """A settings value the emulator refuses (answered as 400 by the control route)."""


@dataclass(frozen=True)
class Settings:
    plan: str = "enterprise"
    time_scale: float = 1.0
    fault_rate: float = 0.0
    faults: dict[str, dict[str, float]] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()
    slow_seconds: float = 30.0
    fault_sequence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    burst_length: int = 3
    fault_retry_after: int = 1
    oauth_access_ttl: int = 1800
    # Per-feature switches over the plan's default: {"audit_logs": false} turns one off, true turns one on.
    features: dict[str, bool] = field(default_factory=dict)
    # Help Center (Guide) enabled on the account; community (posts and topics) needs it and can be off on its own.
    # Off, their endpoints answer 404 as for an unknown route.
    help_center: bool = True
    community: bool = True
    # Incremental exports answering 504 for pages larger than `over` records (faults.py): {"*" or route: {"over":
    # 250}} every time, {"over": 250, "times": 2} only for the route's first two such requests.
    page_timeouts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def limits(self) -> tuple[int | None, int | None]:
        return PLANS[self.plan]

    def has_feature(self, name: str) -> bool:
        override = self.features.get(name)
        return override if override is not None else self.plan in FEATURES[name]

    def denies(self, route: str, feature: str | None) -> bool:
        """The route is forbidden by name, or needs a feature (its resource's) the account does not have."""
        return route in self.forbidden or (feature is not None and not self.has_feature(feature))

    def turned_off(self, guide: str | None) -> bool:
        """Help Center (`guide` "help_center"), or the community ("community", which needs Help Center too), is
        turned off: its routes answer 404 and its truths are empty."""
        if guide == "help_center":
            return not self.help_center
        return guide == "community" and not (self.help_center and self.community)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["forbidden"] = list(self.forbidden)
        data["fault_sequence"] = {route: list(kinds) for route, kinds in self.fault_sequence.items()}
        return data

    def updated(self, patch: Any) -> Settings:
        if not isinstance(patch, dict):
            raise SettingsError("settings must be a JSON object")
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(patch) - known)
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        changes: dict[str, Any] = {name: _VALIDATORS[name](name, value) for name, value in patch.items()}
        return dataclasses.replace(self, **changes)


def _number(name: str, value: Any, low: float, high: float | None = None, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{name} must be a number, got {value!r}")
    too_low = value <= low if low_open else value < low
    if too_low or (high is not None and value > high):
        bound = f"> {low}" if low_open else f">= {low}"
        raise SettingsError(f"{name} must be {bound}" + (f" and <= {high}" if high is not None else "") + f", got {value!r}")
    return float(value)


def _integer(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SettingsError(f"{name} must be an integer >= {low}, got {value!r}")
    return value


def _kind(name: str, value: Any, allow_ok: bool) -> str:
    kind = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    allowed = FAULT_KINDS + ((NO_FAULT,) if allow_ok else ())
    if kind not in allowed:
        raise SettingsError(f"{name}: unknown fault kind {value!r} (known: {', '.join(allowed)})")
    return kind


def _route_key(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise SettingsError(f"{name} keys must be route names or '*', got {value!r}")
    return value


def _plan(name: str, value: Any) -> str:
    if value not in PLANS:
        raise SettingsError(f"plan must be one of {', '.join(PLANS)}, got {value!r}")
    return value


def _faults(name: str, value: Any) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict):
        raise SettingsError('faults must be an object like {"route_name" or "*": {"504": 0.2}}')
    result: dict[str, dict[str, float]] = {}
    for route, mix in value.items():
        _route_key(name, route)
        if not isinstance(mix, dict):
            raise SettingsError(f"faults[{route!r}] must be an object of fault kind -> rate")
        rates = {_kind(f"faults[{route!r}]", kind, False): _number(f"faults[{route!r}][{kind!r}]", rate, 0, 1)
                 for kind, rate in mix.items()}
        if sum(rates.values()) > 1 + 1e-9:
            raise SettingsError(f"faults[{route!r}]: rates add up to more than 1")
        result[route] = rates
    return result


def _forbidden(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise SettingsError("forbidden must be a list of route names")
    return tuple(value)


def _features(name: str, value: Any) -> dict[str, bool]:
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise SettingsError('features must be an object like {"audit_logs": false}')
    unknown = sorted(set(value) - set(FEATURES))
    if unknown:
        raise SettingsError(f"unknown features: {', '.join(unknown)} (known: {', '.join(FEATURES)})")
    return dict(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{name} must be true or false, got {value!r}")
    return value


def _fault_sequence(name: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise SettingsError('fault_sequence must be an object like {"route_name" or "*": ["504", "ok", "reset"]}')
    result: dict[str, tuple[str, ...]] = {}
    for route, kinds in value.items():
        _route_key(name, route)
        if not isinstance(kinds, list):
            raise SettingsError(f"fault_sequence[{route!r}] must be a list of fault kinds")
        result[route] = tuple(_kind(f"fault_sequence[{route!r}]", kind, True) for kind in kinds)
    return result


def _page_timeouts(name: str, value: Any) -> dict[str, dict[str, int]]:
    if not isinstance(value, dict):
        raise SettingsError('page_timeouts must be an object like {"route_name" or "*": {"over": 250, "times": 2}}')
    result: dict[str, dict[str, int]] = {}
    for route, rule in value.items():
        _route_key(name, route)
        if not isinstance(rule, dict) or "over" not in rule or set(rule) - {"over", "times"}:
            raise SettingsError(f"page_timeouts[{route!r}] must be an object with 'over' and optionally 'times'")
        result[route] = {key: _integer(f"page_timeouts[{route!r}][{key!r}]", rule[key], 1) for key in rule}
    return result


_VALIDATORS = {
    "plan": _plan,
    "time_scale": lambda n, v: _number(n, v, 0, 1_000_000, low_open=True),
    "fault_rate": lambda n, v: _number(n, v, 0, 1),
    "faults": _faults,
    "forbidden": _forbidden,
    "slow_seconds": lambda n, v: _number(n, v, 0, 3600),
    "fault_sequence": _fault_sequence,
    "burst_length": lambda n, v: _integer(n, v, 1),
    "fault_retry_after": lambda n, v: _integer(n, v, 1),
    "oauth_access_ttl": lambda n, v: _integer(n, v, 1),
    "features": _features,
    "help_center": _flag,
    "community": _flag,
    "page_timeouts": _page_timeouts,
}
