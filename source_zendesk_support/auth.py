"""Config -> the authenticator every request of a run shares."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from airbyte_cdk.sources.streams.http.requests_native_auth import (
    BasicHttpAuthenticator,
    SingleUseRefreshTokenOauth2Authenticator,
    TokenAuthenticator,
)
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from requests.auth import AuthBase

from .config import AccessTokenCredentials, ApiTokenCredentials, ZendeskConfig

API_TOKEN_RETIREMENT = (
    "This connection authenticates with a Zendesk API token. Zendesk stops issuing API tokens on 2026-10-27 and "
    "disables all of them on 2027-04-30: switch the connection to OAuth before then."
)


def build_authenticator(
    config: ZendeskConfig, raw_config: MutableMapping[str, Any], logger: logging.Logger
) -> AuthBase:
    """One authenticator per run, shared by every stream.

    Sharing matters for the refresh flow: Zendesk rotates both tokens on each refresh and invalidates the old pair,
    so two authenticators holding their own copy would each burn the refresh token the other one needs.
    """
    credentials = config.credentials
    if isinstance(credentials, ApiTokenCredentials):
        logger.warning(API_TOKEN_RETIREMENT)
        authenticator = BasicHttpAuthenticator(username=f"{credentials.email}/token", password=credentials.api_token)
        # The header is base64 of the token: register it too, so a debug log of request headers cannot leak it.
        add_to_secrets(authenticator.token.split(" ", 1)[1])
        return authenticator
    if isinstance(credentials, AccessTokenCredentials):
        return TokenAuthenticator(token=credentials.access_token)
    # SingleUseRefreshTokenOauth2Authenticator reads client_id, client_secret, refresh_token, access_token and
    # token_expiry_date under raw_config["credentials"] (its default paths match our spec), POSTs a form-encoded
    # grant_type=refresh_token request, writes the rotated pair and the new expiry back into raw_config and prints
    # the whole raw_config as a CONNECTOR_CONFIG control message, which Airbyte persists for the next run. raw_config
    # must therefore be the user's config exactly as Airbyte stores it (no normalised or defaulted values).
    return SingleUseRefreshTokenOauth2Authenticator(
        connector_config=raw_config,
        token_refresh_endpoint=f"https://{config.host}/oauth/tokens",
        # A refresh token that was revoked, expired or already used comes back as 400 invalid_grant: that is a
        # config error telling the user to re-authenticate, not a transient failure.
        refresh_token_error_status_codes=(400, 401),
        refresh_token_error_key="error",
        refresh_token_error_values=("invalid_grant", "invalid_client", "invalid_request"),
    )


def can_refresh(authenticator: AuthBase) -> bool:
    return isinstance(authenticator, SingleUseRefreshTokenOauth2Authenticator)
