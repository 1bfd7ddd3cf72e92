"""Credentials of the emulated account and the two ways Zendesk accepts them: API token basic auth and OAuth bearer.

Everything is derived from the seed, so a config written for one run works for the next run with the same seed.
OAuth follows Zendesk's refresh-token grant: each refresh returns a new access token and a new refresh token and
deletes the previous pair, so a reused refresh token is `invalid_grant`.
https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
https://developer.zendesk.com/api-reference/introduction/security-and-auth/
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from zendesk_emulator.clock import Clock
from zendesk_emulator.types import ApiResponse

CLIENT_ID = "airbyte-emulator"
SCOPE = "read"
REFRESH_TTL = 30 * 86400
# Zendesk's accepted ranges for the optional lifetimes of the refresh grant (5 min - 48 h; 7 - 90 days).
ACCESS_TTL_RANGE = (300, 172_800)
REFRESH_TTL_RANGE = (604_800, 7_776_000)

_BASIC_FAILURE = ApiResponse(
    401, json.dumps({"error": "Couldn't authenticate you"}).encode(), {"WWW-Authenticate": 'Basic realm="Web Password"'}
)
_BEARER_FAILURE = ApiResponse(
    401,
    json.dumps({
        "error": "invalid_token",
        "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
    }).encode(),
    {"WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token"'},
)
_INVALID_GRANT = (
    "The provided access grant is invalid, expired, or revoked (e.g. invalid assertion, expired authorization "
    "token, bad end-user password credentials, or mismatching authorization code and redirection URI)."
)
_INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


@dataclass(frozen=True)
class Credentials:
    email: str
    api_token: str
    client_id: str
    client_secret: str
    refresh_token: str  # the first one; it stops working once used
    static_access_token: str  # never expires (access-token-only OAuth clients)

    @classmethod
    def derive(cls, seed: int, email: str) -> Credentials:
        def secret(purpose: str, length: int = 40) -> str:
            return hashlib.sha256(f"zendesk-emulator:{seed}:{purpose}".encode()).hexdigest()[:length]

        return cls(
            email=email,
            api_token=f"emu-token-{secret('api-token')}",
            client_id=CLIENT_ID,
            client_secret=secret("client-secret", 64),
            refresh_token=f"emu-refresh-{secret('refresh-0')}",
            static_access_token=f"emu-static-{secret('static-access')}",
        )


def _oauth_error(status: int, error: str, description: str) -> ApiResponse:
    return ApiResponse(status, json.dumps({"error": error, "error_description": description}).encode())


class Authenticator:
    def __init__(self, credentials: Credentials, user_id: int, clock: Clock, seed: int, access_ttl: int = 1800):
        self.credentials = credentials
        self.user_id = user_id
        self.access_ttl = access_ttl
        self._clock = clock
        self._key = hashlib.sha256(f"zendesk-emulator:{seed}:oauth-key".encode()).digest()
        self._lock = threading.Lock()
        self._issued = 0
        self._access: dict[str, float] = {}  # token -> virtual expiry
        self._refresh: dict[str, tuple[float, str | None]] = {  # token -> (virtual expiry, paired access token)
            credentials.refresh_token: (clock.now() + REFRESH_TTL, None)
        }
        basic = f"{credentials.email}/token:{credentials.api_token}".encode()
        self._basic_ok = {base64.b64encode(basic).decode()}

    def authenticate(self, authorization: str | None) -> int | ApiResponse:
        """The authenticated user id, or the 401 Zendesk answers for this scheme."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return self.user_id if self._bearer_valid(value) else _BEARER_FAILURE
        if scheme.lower() == "basic" and (value in self._basic_ok or self._basic_matches(value)):
            return self.user_id
        return _BASIC_FAILURE

    def _bearer_valid(self, token: str) -> bool:
        if hmac.compare_digest(token, self.credentials.static_access_token):
            return True
        with self._lock:
            expiry = self._access.get(token)
        return expiry is not None and self._clock.now() < expiry

    def _basic_matches(self, value: str) -> bool:
        """Slow path: the email part of the user name is case-insensitive."""
        try:
            user, _, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user.lower() == f"{self.credentials.email}/token".lower() and hmac.compare_digest(
            token, self.credentials.api_token
        )

    def token_endpoint(self, body: bytes, content_type: str, authorization: str | None) -> ApiResponse:
        """POST /oauth/tokens with grant_type=refresh_token (form or JSON body, client credentials in body or basic)."""
        params = _parse_params(body, content_type)
        if params is None:
            return _oauth_error(400, "invalid_request", "The request body could not be parsed.")
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization and authorization.lower().startswith("basic ") and not client_id:
            try:
                client_id, _, client_secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                client_id = None
        if params.get("grant_type") != "refresh_token":
            return _oauth_error(
                400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server."
            )
        if client_id != self.credentials.client_id or not hmac.compare_digest(
            str(client_secret or ""), self.credentials.client_secret
        ):
            return _oauth_error(401, "invalid_client", _INVALID_CLIENT)
        try:
            access_ttl = _lifetime(params, "expires_in", self.access_ttl, ACCESS_TTL_RANGE)
            refresh_ttl = _lifetime(params, "refresh_token_expires_in", REFRESH_TTL, REFRESH_TTL_RANGE)
        except ValueError as error:
            return _oauth_error(400, "invalid_request", str(error))
        now = self._clock.now()
        with self._lock:
            entry = self._refresh.pop(str(params.get("refresh_token") or ""), None)
            if entry is None or now >= entry[0]:
                return _oauth_error(400, "invalid_grant", _INVALID_GRANT)
            if entry[1] is not None:
                self._access.pop(entry[1], None)
            self._issued += 1
            access, refresh = self._new_token("access"), self._new_token("refresh")
            self._access[access] = now + access_ttl
            self._refresh[refresh] = (now + refresh_ttl, access)
        payload = {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "scope": SCOPE,
            "expires_in": access_ttl,
            "refresh_token_expires_in": refresh_ttl,
        }
        return ApiResponse(200, json.dumps(payload).encode(), {"Cache-Control": "no-store"})

    def _new_token(self, kind: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{self._issued}".encode(), hashlib.sha256).hexdigest()[:40]
        return f"emu-{kind}-{digest}"


def _parse_params(body: bytes, content_type: str) -> dict[str, object] | None:
    text = body.decode("utf-8", "replace").strip()
    if "json" in content_type.lower() or text.startswith("{"):
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _lifetime(params: dict[str, object], name: str, default: int, bounds: tuple[int, int]) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(f"{name} must be an integer number of seconds") from None
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name} must be between {bounds[0]} and {bounds[1]} seconds")
    return value
