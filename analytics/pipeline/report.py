"""The figures bin/analytics prints and charts, read from dbt_zendesk's models in the DuckDB file."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import plotly.io as pio

MODELS = "main_zendesk"  # dbt_zendesk's schema in bin/analytics's DuckDB file (target schema main + _zendesk)

# (label, the package's column in zendesk__ticket_metrics, Zendesk's own in ticket_metrics as JSON path)
DURATIONS = (
    ("first reply, calendar", "first_reply_time_calendar_minutes", ("reply_time_in_minutes", "calendar")),
    ("first reply, business hours", "first_reply_time_business_minutes", ("reply_time_in_minutes", "business")),
    ("full resolution, calendar", "final_resolution_calendar_minutes", ("full_resolution_time_in_minutes", "calendar")),
    ("full resolution, business hours", "full_resolution_business_minutes",
     ("full_resolution_time_in_minutes", "business")),
)
UNSOLVED = ("new", "open", "pending", "hold")


@dataclass
class Duration:
    label: str
    tickets: int
    median_hours: float | None
    p90_hours: float | None
    zendesk_median_hours: float | None = None  # the same figure from Zendesk's ticket_metrics, when synced


@dataclass
class Figures:
    tickets: int = 0
    deleted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    durations: list[Duration] = field(default_factory=list)
    sla: list[dict[str, Any]] = field(default_factory=list)  # metric, breached, achieved, active, rate
    backlog_days: list[tuple[Any, str, int]] = field(default_factory=list)  # (date, status, tickets)
    created_by_month: list[tuple[Any, int]] = field(default_factory=list)


def _tables(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(connection.execute("select table_schema, table_name from information_schema.tables").fetchall())


def read_figures(db_path: Path) -> Figures:
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        return _read(connection)
    finally:
        connection.close()


def _read(connection: duckdb.DuckDBPyConnection) -> Figures:
    connection.execute("SET TimeZone = 'UTC'")
    tables = _tables(connection)
    figures = Figures()
    metrics = f"{MODELS}.zendesk__ticket_metrics"
    figures.tickets, figures.deleted = connection.execute(
        f"select count(*), count(*) filter (where status = 'deleted') from {metrics}").fetchone() or (0, 0)
    figures.by_status = dict(connection.execute(
        f"select status, count(*) from {metrics} group by 1 order by 2 desc").fetchall())
    has_zendesk = ("main", "ticket_metrics") in tables
    for label, column, (zendesk_column, kind) in DURATIONS:
        count, median, p90 = connection.execute(
            f"select count({column}), quantile_cont({column}, 0.5) / 60, quantile_cont({column}, 0.9) / 60 "
            f"from {metrics} where status != 'deleted'").fetchone() or (0, None, None)
        zendesk = None
        if has_zendesk:
            value = f"try_cast(json_extract_string({zendesk_column}, '$.{kind}') as double)"
            row = connection.execute(f"select quantile_cont({value}, 0.5) / 60 from main.ticket_metrics").fetchone()
            zendesk = row[0] if row else None
        figures.durations.append(Duration(label, count, median, p90, zendesk))
    for metric, breached, achieved, active in connection.execute(f"""
            select metric || case when in_business_hours then ' (business hours)' else ' (calendar)' end,
                   count(*) filter (where is_sla_breach), count(*) filter (where not is_sla_breach),
                   count(*) filter (where is_sla_breach is null)
            from {MODELS}.zendesk__sla_policies group by 1 order by 1""").fetchall():
        decided = breached + achieved
        figures.sla.append({"metric": metric, "breached": breached, "achieved": achieved, "active": active,
                            "rate": breached / decided if decided else None})
    figures.backlog_days = connection.execute(
        f"select date_day, status, count(*) from {MODELS}.zendesk__ticket_backlog "
        "group by 1, 2 order by 1, 2").fetchall()
    figures.created_by_month = connection.execute(
        f"select date_trunc('month', created_at)::date, count(*) from {metrics} group by 1 order by 1").fetchall()
    return figures


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} h"


def text_report(figures: Figures) -> str:
    lines = [f"Tickets: {figures.tickets:,}" + (f" ({figures.deleted:,} deleted)" if figures.deleted else ""), ""]
    lines.append(f"  {'time to':<34}{'tickets':>9}{'median':>11}{'p90':>11}{'Zendesk median':>16}")
    for duration in figures.durations:
        lines.append(f"  {duration.label:<34}{duration.tickets:>9,}{_hours(duration.median_hours):>11}"
                     f"{_hours(duration.p90_hours):>11}{_hours(duration.zendesk_median_hours):>16}")
    lines += ["", f"  {'SLA':<44}{'breached':>9}{'achieved':>9}{'active':>8}{'breach rate':>13}"]
    for sla in figures.sla:
        rate = "-" if sla["rate"] is None else f"{sla['rate']:.1%}"
        lines.append(f"  {sla['metric']:<44}{sla['breached']:>9,}{sla['achieved']:>9,}{sla['active']:>8,}{rate:>13}")
    if not figures.sla:
        lines.append("  (no SLA policy applied to any ticket)")
    backlog = {status: figures.by_status.get(status, 0) for status in UNSOLVED}
    lines += ["", "  Backlog: " + ", ".join(f"{status} {count:,}" for status, count in backlog.items())
              + f" ({sum(backlog.values()):,} unsolved)"]
    return "\n".join(lines)


def _durations_chart(figures: Figures) -> go.Figure:
    labels = [d.label for d in figures.durations]
    chart = go.Figure([
        go.Bar(name="median", x=labels, y=[d.median_hours for d in figures.durations]),
        go.Bar(name="90th percentile", x=labels, y=[d.p90_hours for d in figures.durations]),
    ])
    if any(d.zendesk_median_hours is not None for d in figures.durations):
        chart.add_trace(go.Scatter(name="Zendesk's own median (ticket_metrics)", x=labels, mode="markers",
                                   y=[d.zendesk_median_hours for d in figures.durations], marker={"size": 12}))
    chart.update_layout(title="First reply and full resolution times (hours)", barmode="group",
                        yaxis_title="hours")
    return chart


def _sla_chart(figures: Figures) -> go.Figure:
    metrics = [s["metric"] for s in figures.sla]
    chart = go.Figure([
        go.Bar(name="breached", x=metrics, y=[s["breached"] for s in figures.sla], marker_color="#d62728"),
        go.Bar(name="achieved", x=metrics, y=[s["achieved"] for s in figures.sla], marker_color="#2ca02c"),
        go.Bar(name="active", x=metrics, y=[s["active"] for s in figures.sla], marker_color="#7f7f7f"),
    ])
    rates = [f"{s['rate']:.0%} breached" if s["rate"] is not None else "" for s in figures.sla]
    chart.update_layout(title="SLA targets per metric: " + ", ".join(
        f"{m} {r}" for m, r in zip(metrics, rates, strict=True) if r) if metrics else "SLA targets",
        barmode="stack", yaxis_title="SLA events")
    return chart


def _backlog_chart(figures: Figures) -> go.Figure:
    chart = go.Figure()
    for status in UNSOLVED:
        days = [(day, count) for day, s, count in figures.backlog_days if s == status]
        chart.add_trace(go.Scatter(name=status, x=[d for d, _ in days], y=[c for _, c in days], stackgroup="backlog"))
    chart.update_layout(title="Backlog: unsolved tickets by status, day by day (zendesk__ticket_backlog)",
                        yaxis_title="tickets")
    return chart


def _created_chart(figures: Figures) -> go.Figure:
    chart = go.Figure(go.Bar(x=[m for m, _ in figures.created_by_month], y=[c for _, c in figures.created_by_month]))
    chart.update_layout(title="Tickets created per month", yaxis_title="tickets")
    return chart


def write_html(figures: Figures, path: Path, title: str) -> None:
    """One self-contained page: plotly's JavaScript embedded once, so it opens offline."""
    charts = [_durations_chart(figures), _sla_chart(figures), _backlog_chart(figures), _created_chart(figures)]
    parts = [pio.to_html(chart, full_html=False, include_plotlyjs=(i == 0)) for i, chart in enumerate(charts)]
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><pre>{html.escape(text_report(figures))}</pre>"
            + "".join(f"<div>{part}</div>" for part in parts) + "</body></html>")
    path.write_text(page)
