"""The connector's modules stay small enough to read whole (STYLE.md: about 400 lines is the ceiling)."""

from __future__ import annotations

from pathlib import Path

import source_zendesk_support

PACKAGE = Path(source_zendesk_support.__file__).parent
CEILING = 400


def test_given_the_connector_then_no_module_reaches_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in sorted(PACKAGE.rglob("*.py"))
            if (n := len(path.read_text().splitlines())) >= CEILING}
    assert long == {}, "split these modules by concern"
