import os
import sys

from airbyte_cdk.entrypoint import launch

from .source import SourceZendeskSupport
from .waits import Waits


def run() -> None:
    launch(SourceZendeskSupport(waits=Waits.from_env(os.environ)), sys.argv[1:])
