"""Keeping the output buffer small.

The CDK collects everything printed in `airbyte_cdk.logger.PRINT_BUFFER` and writes it out every 0.1 s. At tens of
thousands of records a second, 0.1 s is megabytes of text held in memory, copied once more to be written and once
more to be encoded: measured here, about 20 MB of a 100,000-ticket sync's peak memory. Writing out whenever
`MAX_CHARS` are waiting keeps the buffer small at the same CPU cost (one write per a few hundred kilobytes).
"""

from __future__ import annotations

from airbyte_cdk.utils.print_buffer import PrintBuffer

from .cdk import buffered_chars

MAX_CHARS = 256 * 1024


def flush_if_large(buffer: PrintBuffer, max_chars: int = MAX_CHARS) -> None:
    if buffered_chars(buffer) >= max_chars:
        buffer.flush()
