"""The output buffer is written out once it holds MAX_CHARS, not only every 0.1 s."""

from __future__ import annotations

import io
import sys

from airbyte_cdk.utils.print_buffer import PrintBuffer

from source_zendesk_support.output import flush_if_large


def test_given_more_than_the_limit_buffered_when_checked_then_it_is_written_out(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", out)
    buffer = PrintBuffer(flush_interval=3600)
    buffer.write("x" * 40 + "\n")

    flush_if_large(buffer, max_chars=100)
    assert out.getvalue() == ""  # below the limit: kept

    buffer.write("y" * 80 + "\n")
    flush_if_large(buffer, max_chars=100)
    assert out.getvalue() == "x" * 40 + "\n" + "y" * 80 + "\n"
    assert buffer.buffer.tell() == 0
