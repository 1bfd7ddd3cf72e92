"""Zendesk Support API routes served from a `Dataset`: handlers, pagination styles and Zendesk's error shapes.

Choices made where Zendesk's docs are silent (each is explained again where it is implemented):

- Time-based exports never end a page inside a second: a full page is extended past `per_page` to include every
  record of its last second; `end_time` is that second + 1 when the page was extended or made no progress past its
  own `start_time`, otherwise the last record's second (so boundary records repeat, as documented). export_time.py
- `start_time` later than `now - 60 s` (inside the excluded last minute, or in the future) is 422
  `{"error": "InvalidValue", "description": "Too recent start_time. Use a start_time older than 5 minutes"}`;
  `start_time` is read like Rails' String#to_i; a missing one is 400 InvalidValue. export_rules.py
- `/ticket_audits` without `page[size]`: newest first, `limit` default and max 1000, `before_url` leads to older
  audits and is null on the page holding the oldest. With `page[size]`: cursor pagination, newest first.
- `page[size]` and `per_page` above their maximum are clamped, not refused; offset page 101+ is 400
  `InvalidPaginationDepth`, and page 100 still links to page 101 when more records exist.
- `include=metric_sets` on the ticket export embeds `metric_set` in each live ticket and adds `metric_sets` at the
  top level; other sideloads are ignored.
- `incremental/ticket_metric_events` does not refuse a recent `start_time` (singer's tap-zendesk probes it with
  start_time=now during discovery and expects a 200).
"""
