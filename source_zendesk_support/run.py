import sys

from airbyte_cdk.entrypoint import launch

from .source import SourceZendeskSupport


def run() -> None:
    launch(SourceZendeskSupport(), sys.argv[1:])
