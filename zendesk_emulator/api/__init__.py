"""Zendesk Support API routes served from a `Dataset`: handlers, pagination styles and Zendesk's error shapes."""
