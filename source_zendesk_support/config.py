"""Validate the user's config once and turn it into the few facts the connector needs.

Every problem is a config error whose message names the field and what to fix, and never repeats a secret.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .failures import InvalidConfig

DEFAULT_HISTORY_SECONDS = 365 * 24 * 3600  # the seed's default: one year of history
DEFAULT_RATE_LIMIT_PERCENT = 100  # the whole of Zendesk's per-minute limits, as before the setting existed
ZENDESK_DOMAIN = "zendesk.com"

# One DNS label: letters, digits and inner hyphens, at most 63 characters. re.ASCII and the isascii() check keep
# Unicode look-alikes (e.g. the Kelvin sign that IGNORECASE would fold to "k") out.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SUBDOMAIN_FORMS = re.compile(rf"(?:https://)?(?P<host>{_LABEL})\.zendesk\.com/?|(?P<bare>{_LABEL})", re.ASCII | re.I)
_START_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)?", re.ASCII)


@dataclass(frozen=True)
class ApiTokenCredentials:
    email: str
    api_token: str


@dataclass(frozen=True)
class AccessTokenCredentials:
    access_token: str


@dataclass(frozen=True)
class RefreshTokenCredentials:
    """The CDK's refresh-token authenticator reads and rewrites these in the raw config itself."""


Credentials = ApiTokenCredentials | AccessTokenCredentials | RefreshTokenCredentials


@dataclass(frozen=True)
class ZendeskConfig:
    subdomain: str
    start_time: int  # unix seconds: where a first sync (or a full refresh) starts
    credentials: Credentials
    # The share of the account's per-minute request limit (and of the export limit) this connector may spend.
    rate_limit_percent: int = DEFAULT_RATE_LIMIT_PERCENT
    # One typed column per active custom field on tickets, users and organizations (custom_fields/).
    custom_field_columns: bool = True

    @property
    def host(self) -> str:
        return f"{self.subdomain}.{ZENDESK_DOMAIN}"

    @property
    def url_base(self) -> str:
        return f"https://{self.host}/api/v2/"


def parse_config(raw: Mapping[str, Any], now: float) -> ZendeskConfig:
    if not isinstance(raw, Mapping):
        raise InvalidConfig("config", "must be a JSON object")
    return ZendeskConfig(
        subdomain=parse_subdomain(raw.get("subdomain")),
        start_time=parse_start_date(raw.get("start_date"), now),
        credentials=parse_credentials(raw.get("credentials")),
        rate_limit_percent=parse_rate_limit_percent(raw.get("rate_limit_percent")),
        custom_field_columns=parse_flag("custom_field_columns", raw.get("custom_field_columns"), default=True),
    )


def parse_flag(field: str, value: Any, default: bool) -> bool:
    """A boolean; absent (or null) means `default`. "true"/"false" strings, as hand-edited configs hold them, too."""
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise InvalidConfig(field, f"must be true or false, got {repr(value)[:40]}")
    return value


def parse_rate_limit_percent(value: Any) -> int:
    """A whole number from 1 to 100; absent means 100. A number written as a string ("50") or a whole float (50.0)
    is what some UIs and hand-edited configs send, so both are taken; a fraction is not (1-100, not 0-1)."""
    if value is None or value == "":
        return DEFAULT_RATE_LIMIT_PERCENT
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(value, bool) or not isinstance(number, int) or not 1 <= number <= 100:
        raise InvalidConfig(
            "rate_limit_percent",
            f"must be a whole number from 1 to 100 (the share of Zendesk's per-minute API limit this connector may "
            f"use; 100 uses all of it), got {repr(value)[:40]}",
        )
    return number


def parse_subdomain(value: Any) -> str:
    """`acme`, `acme.zendesk.com` and `https://acme.zendesk.com/` all mean `acme`; nothing else is accepted.

    The subdomain becomes the only host the connector talks to, so anything that could steer a request elsewhere
    (another host, a port, user info, a path, a query) is refused rather than cleaned up.
    """
    if value is not None and not isinstance(value, str):
        raise InvalidConfig(
            "subdomain", f"must be a string, e.g. 'acme' for https://acme.zendesk.com, not a {type(value).__name__}"
        )
    if value is None or not value.strip():
        raise InvalidConfig("subdomain", "is required: the part before .zendesk.com in your Zendesk URL, e.g. 'acme'")
    text = value.strip()
    match = _SUBDOMAIN_FORMS.fullmatch(text) if text.isascii() else None
    if match is None:
        raise InvalidConfig("subdomain", f"{_subdomain_problem(text)}. {_SUBDOMAIN_HINT}")
    return (match.group("host") or match.group("bare")).lower()


_SUBDOMAIN_HINT = (
    "Use your Zendesk subdomain, e.g. 'acme' for https://acme.zendesk.com (also accepted: 'acme.zendesk.com')"
)


def _subdomain_problem(text: str) -> str:
    if not text.isascii():
        return "contains non-ASCII characters"
    if "@" in text:
        return "must not contain user info ('@')"
    if "?" in text or "#" in text:
        return "must not contain a query or fragment"
    host = text.split("://", 1)[-1]
    if "://" in text and not text.lower().startswith("https://"):
        return "must use https:// if it is a URL"
    if "/" in host.rstrip("/"):
        return "must not contain a path"
    if ":" in host:
        return "must not contain a port"
    if "." in host.rstrip("/") and not host.lower().rstrip("/").endswith("." + ZENDESK_DOMAIN):
        return f"must be a {ZENDESK_DOMAIN} address"
    if len(host.split(".", 1)[0]) > 63:
        return "is longer than 63 characters"
    return "is not a valid subdomain (letters, digits and inner hyphens only)"


def parse_start_date(value: Any, now: float) -> int:
    """`YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DD` (UTC midnight); absent means one year before now."""
    if value is None or value == "":
        return int(now) - DEFAULT_HISTORY_SECONDS
    if not isinstance(value, str) or not _START_DATE.fullmatch(value.strip()):
        raise InvalidConfig("start_date", "must look like 2024-01-31T00:00:00Z or 2024-01-31")
    text = value.strip()
    try:
        moment = (
            datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S") if "T" in text else datetime.strptime(text, "%Y-%m-%d")
        )
    except ValueError:
        raise InvalidConfig("start_date", f"is not a real date: {text}") from None
    start = calendar.timegm(moment.timetuple())
    if start < 0:
        raise InvalidConfig("start_date", "must not be before 1970-01-01")
    if start > now:
        raise InvalidConfig(
            "start_date", f"is in the future ({text}): set it to the earliest data you want to replicate"
        )
    return start


_CREDENTIAL_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required fields, optional fields)
    "api_token": (("email", "api_token"), ()),
    "oauth2.0": (("access_token",), ("client_id", "client_secret")),
    "oauth2_refresh": (("client_id", "client_secret", "refresh_token"), ("access_token", "token_expiry_date")),
}


def parse_credentials(value: Any) -> Credentials:
    if not isinstance(value, Mapping):
        raise InvalidConfig("credentials", "is required: an object choosing API token or OAuth authentication")
    kind = value.get("credentials")
    if kind not in _CREDENTIAL_FIELDS:
        kinds = ", ".join(repr(k) for k in _CREDENTIAL_FIELDS)
        raise InvalidConfig("credentials.credentials", f"must be one of {kinds}")
    required, optional = _CREDENTIAL_FIELDS[kind]
    for name in required:
        field_value = value.get(name)
        if not isinstance(field_value, str) or not field_value.strip():
            raise InvalidConfig(f"credentials.{name}", f"is required for {kind!r} authentication")
    for name in optional:
        if value.get(name) is not None and not isinstance(value.get(name), str):
            raise InvalidConfig(f"credentials.{name}", "must be a string")
    if kind == "api_token":
        email = value["email"].strip()
        # Basic auth joins "{email}/token" and the token with ':', so a ':' in the email would corrupt the header.
        if "@" not in email or ":" in email or any(c.isspace() for c in email):
            raise InvalidConfig(
                "credentials.email", "must be the email address of the Zendesk user the API token belongs to"
            )
        return ApiTokenCredentials(email=email, api_token=value["api_token"].strip())
    if kind == "oauth2.0":
        return AccessTokenCredentials(access_token=value["access_token"].strip())
    expiry = value.get("token_expiry_date")
    if expiry:
        try:
            datetime.fromisoformat(expiry.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidConfig("credentials.token_expiry_date", "must be an ISO 8601 date-time") from None
    return RefreshTokenCredentials()
