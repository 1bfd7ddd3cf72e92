"""The console entrypoint: the CDK's `launch`, with two changes to how a bad config is reported."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import AirbyteMessageSerializer, ConnectorSpecification, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from . import allocator
from .output import flush_if_large
from .source import SourceZendeskSupport
from .waits import Waits


class _Entrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Mapping[str, Any]) -> None:
        """The CDK checks the config against spec.json before `check` and answers e.g. "5 is not of type 'string'"
        without saying which field. config.parse_config checks every field and names it, so it alone decides
        (SourceZendeskSupport.check_config_against_spec is off for discover and read for the same reason)."""


def run() -> None:
    allocator.tune(os.environ)  # before the first page is read (allocator.py)
    try:
        source = SourceZendeskSupport(waits=Waits.from_env(os.environ))
        entrypoint = _Entrypoint(source)
        parsed_args = entrypoint.parse_args(sys.argv[1:])
        with PRINT_BUFFER:  # as airbyte_cdk.entrypoint.launch does
            for message in entrypoint.run(parsed_args):
                print(f"{message}\n", end="")
                flush_if_large(PRINT_BUFFER)
    except AirbyteTracedException as error:
        if error.failure_type != FailureType.config_error:
            raise  # the CDK's hook reports it, stack trace included: that one may be ours to fix
        # A config error (config, state, environment) is the user's to fix and its message says how; the CDK's hook
        # would print it as a FATAL log with a stack trace that only buries that message.
        sanitized = error.as_sanitized_airbyte_message()
        if sanitized.trace is not None and sanitized.trace.error is not None:
            sanitized.trace.error.stack_trace = None
        sys.stdout.write(orjson.dumps(AirbyteMessageSerializer.dump(sanitized)).decode() + "\n")
        sys.stdout.flush()
        sys.exit(1)
