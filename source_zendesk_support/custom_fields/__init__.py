"""Custom fields as typed columns of tickets, users and organizations: which fields and what names and types
(columns.py), discover adding them to the schemas (discover.py), read filling them from the configured catalog
(values.py)."""

from .discover import add_columns
from .values import with_columns

__all__ = ["add_columns", "with_columns"]
