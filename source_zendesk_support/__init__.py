from .source import SourceZendeskSupport

__all__ = ["SourceZendeskSupport"]
