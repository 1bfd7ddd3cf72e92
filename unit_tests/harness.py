"""Running the connector the way Airbyte does: through the real entrypoint, with configs, catalogs and state."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from io import StringIO
from pathlib import Path
from typing import Any
from unittest.mock import patch

from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.entrypoint_wrapper import read as entrypoint_read
from airbyte_cdk.test.state_builder import StateBuilder
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_zendesk_support import SourceZendeskSupport
from source_zendesk_support.run import run

NOW = "2024-06-01T00:00:00Z"
NOW_TS = 1717200000
START_DATE = "2024-01-01T00:00:00Z"
START = 1704067200
DAY = 86400

EMAIL = "ada@acme.com"
API_TOKEN = "tok-unit-test-1"


def api_token_config(**overrides: Any) -> dict[str, Any]:
    config = {
        "subdomain": "acme",
        "start_date": START_DATE,
        "credentials": {"credentials": "api_token", "email": EMAIL, "api_token": API_TOKEN},
    }
    return {**config, **overrides}


def access_token_config(token: str = "oauth-access-1") -> dict[str, Any]:
    return api_token_config(credentials={"credentials": "oauth2.0", "access_token": token})


def refresh_token_config(**credentials: Any) -> dict[str, Any]:
    creds = {
        "credentials": "oauth2_refresh",
        "client_id": "client-1",
        "client_secret": "secret-1",
        "refresh_token": "refresh-1",
    }
    return api_token_config(credentials={**creds, **credentials})


def read(
    config: Mapping[str, Any],
    streams: Sequence[str] | Mapping[str, SyncMode],
    state: Mapping[str, Any] | None = None,
    expect_failure: bool = False,
) -> EntrypointOutput:
    modes = streams if isinstance(streams, Mapping) else dict.fromkeys(streams, SyncMode.incremental)
    catalog = CatalogBuilder()
    for name, mode in modes.items():
        catalog = catalog.with_stream(name, mode)
    states = None
    if state is not None:
        builder = StateBuilder()
        for name, stream_state in state.items():
            builder = builder.with_stream_state(name, stream_state)
        states = builder.build()
    return entrypoint_read(
        SourceZendeskSupport(), dict(config), catalog.build(), states, expecting_exception=expect_failure
    )


def launch_messages(
    capsys: Any, tmp_path: Path, command: str, config: Mapping[str, Any] | None = None, streams: Sequence[str] = ()
) -> list[dict]:
    """Runs the console script's entrypoint (`source_zendesk_support.run.run`) and returns every message it printed."""
    args = [command]
    if config is not None:
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        args += ["--config", str(path)]
    if streams:
        catalog = CatalogBuilder()
        for name in streams:
            catalog = catalog.with_stream(name, SyncMode.incremental)
        path = tmp_path / "catalog.json"
        path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog.build())))
        args += ["--catalog", str(path)]
    # The CDK's log handler writes to the stdout it found at import time, so logs are caught on the root logger,
    # formatted as the connector prints them (the CDK's entrypoint_wrapper does the same).
    logs = StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(AirbyteLogFormatter())
    logging.getLogger().addHandler(handler)
    capsys.readouterr()
    try:
        with patch.object(sys, "argv", ["source-zendesk-support", *args]):
            run()
    except (AirbyteTracedException, SystemExit):
        pass  # a failed sync ends with an exception or exit 1 (the non-zero exit code); its messages were printed
    finally:
        logging.getLogger().removeHandler(handler)
    lines = capsys.readouterr().out.splitlines() + logs.getvalue().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def records_of(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    return [m.record.data for m in output.records if m.record.stream == stream]


def states_of(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    return [
        m.state.stream.stream_state.__dict__
        for m in output.state_messages
        if m.state.stream.stream_descriptor.name == stream
    ]


def error_traces(output: EntrypointOutput) -> list[Any]:
    return [m.trace.error for m in output.errors]


def warnings(output: EntrypointOutput) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level.value == "WARN"]
