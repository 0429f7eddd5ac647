"""The newsmon Grafana dashboard as code: `python deploy/grafana/generate.py` writes dashboards/newsmon.json.

The JSON is committed (Grafana provisions it from the file) and tests/deploy checks it matches this generator.
Every query uses literal windows rather than Grafana variables, so the same PromQL can be evaluated by
Prometheus's HTTP API in the tests; [1m] windows need scrapes at most every 15 s (deploy/prometheus).
Metrics and labels are described in deploy/METRICS.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grafanalib._gen import DashboardEncoder
from grafanalib.core import (
    Dashboard,
    GridPos,
    Panel,
    RowPanel,
    Stat,
    Table,
    TableSortByField,
    Target,
    Template,
    Templating,
    Time,
    TimeSeries,
)

OUTPUT = Path(__file__).resolve().parent / "dashboards" / "newsmon.json"
# The uid the provisioned data source has (provisioning/datasources/prometheus.yml): the default of the
# dashboard's `datasource` variable, which every panel reads, so that a Grafana with another Prometheus (or
# several) can import the dashboard and pick one.
PROVISIONED_UID = "prometheus"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
WIDTH = 24
HEIGHT = 8
QUANTILES = (0.5, 0.95, 0.99)
JOBS = 'job=~"newsmon-.*"'

Query = tuple[str, str]  # (PromQL, legend)


def _targets(queries: list[Query], instant: bool = False) -> list[Target]:
    return [
        Target(
            expr=expr,
            legendFormat=legend,
            refId=chr(ord("A") + index),
            datasource=DATASOURCE,
            instant=instant,
            format="table" if instant else "time_series",
        )
        for index, (expr, legend) in enumerate(queries)
    ]


def timeseries(title: str, unit: str, *queries: Query, description: str = "") -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource=DATASOURCE,
        targets=_targets(list(queries)),
        unit=unit,
        legendDisplayMode="table",
        legendPlacement="right",
        legendCalcs=["lastNotNull"],
    )


def quantiles(title: str, histogram: str, by: str, description: str) -> TimeSeries:
    """p50/p95/p99 of a histogram over 5 minutes, per `by` (besides `le`)."""
    group = f"le, {by}" if by else "le"
    prefix = f"{{{{{by}}}}} " if by else ""
    return timeseries(
        title,
        "s",
        *[
            (
                f"histogram_quantile({q}, sum by ({group}) (rate({histogram}_bucket[5m])))",
                f"{prefix}p{round(q * 100)}",
            )
            for q in QUANTILES
        ],
        description=description,
    )


# Colours of the feed states in the feed table (connectors/state.py: FEED_HEALTH_STATES).
FEED_STATE_COLOURS = {
    "healthy": "green",
    "pending": "blue",
    "failing": "orange",
    "never_succeeded": "red",
    "unhealthy": "red",
}


def feed_health_table() -> Table:
    """One row per configured feed: its state, and the time since its last success. The state query lists
    every feed (a never-polled or never-succeeded one has no last success, so a table of that alone missed
    them); the merge keeps its rows, with an empty last success."""
    return Table(
        title="Feed health",
        dataSource=DATASOURCE,
        unit="s",
        description=(
            "Each feed's health (pending, healthy, failing, never_succeeded, unhealthy) and the time since "
            "its last successful poll (empty: none since the connector started). Listed while the feeds "
            "are fewer than connector.metrics_feed_label_limit."
        ),
        targets=_targets(
            [
                ("max by (feed, state) (newsmon_connector_feed_state == 1)", "{{feed}} {{state}}"),
                ("time() - max by (feed) (newsmon_connector_last_success_timestamp_seconds)", "{{feed}}"),
            ],
            instant=True,
        ),
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True, "Value #A": True},
                    "renameByName": {"feed": "Feed", "state": "State", "Value #B": "Since last success"},
                },
            },
        ],
        overrides=[
            {
                "matcher": {"id": "byName", "options": "State"},
                "properties": [
                    {"id": "custom.cellOptions", "value": {"type": "color-text"}},
                    {
                        "id": "mappings",
                        "value": [
                            {
                                "type": "value",
                                "options": {
                                    state: {"color": colour, "index": index}
                                    for index, (state, colour) in enumerate(FEED_STATE_COLOURS.items())
                                },
                            }
                        ],
                    },
                ],
            }
        ],
        sortBy=[TableSortByField(displayName="Since last success", desc=True)],
    )


def rows() -> list[tuple[str, list[Panel]]]:
    """Dashboard rows, top to bottom; each row's panels share its width equally."""
    return [
        (
            "Throughput",
            [
                timeseries(
                    "Records in by stage",
                    "ops",
                    ("sum by (stage) (rate(newsmon_stage_records_in_total[1m]))", "{{stage}}"),
                ),
                timeseries(
                    "Records out by stage",
                    "ops",
                    ("sum by (stage) (rate(newsmon_stage_records_out_total[1m]))", "{{stage}}"),
                    ("sum(rate(newsmon_connector_pages_published_total[1m]))", "connector → raw-pages"),
                ),
            ],
        ),
        (
            "Latency",
            [
                quantiles(
                    "Stage processing time",
                    "newsmon_stage_processing_seconds",
                    "stage",
                    "Time a stage spends on one record, by stage.",
                ),
                quantiles(
                    "Fetch → alert latency",
                    "newsmon_fetch_to_alert_seconds",
                    "",
                    "From the page fetch to the alert on Kafka.",
                ),
            ],
        ),
        (
            "Feeds",
            [
                feed_health_table(),
                timeseries(
                    "Feed polls by outcome",
                    "ops",
                    ("sum by (outcome) (rate(newsmon_connector_polls_total[5m]))", "{{outcome}}"),
                ),
                timeseries(
                    "Feed failure ratio",
                    "percentunit",
                    (
                        (
                            '(sum(rate(newsmon_connector_polls_total{outcome="error"}[5m])) or vector(0))'
                            " / sum(rate(newsmon_connector_polls_total[5m]))"
                        ),
                        "failed polls",
                    ),
                ),
                Stat(
                    title="Feeds by health",
                    dataSource=DATASOURCE,
                    reduceCalc="lastNotNull",
                    description=(
                        "Configured feeds by health state (every feed, whatever metrics_feed_label_limit); "
                        "unhealthy: failing consecutively past the connector's threshold."
                    ),
                    targets=_targets([("sum by (state) (newsmon_connector_feeds_by_state)", "{{state}}")]),
                ),
            ],
        ),
        (
            "Dedup, events and alerts",
            [
                timeseries(
                    "Dedup ratio by method",
                    "percentunit",
                    (
                        (
                            "sum by (method) (rate(newsmon_dedup_duplicates_total[5m]))"
                            " / on() group_left()"
                            ' sum(rate(newsmon_stage_records_in_total{stage="dedup_url"}[5m]))'
                        ),
                        "{{method}}",
                    ),
                    description="Share of articles entering dedup found to be copies, by method.",
                ),
                timeseries(
                    "Events by type, status and language",
                    "ops",
                    (
                        "sum by (type, status, lang) (rate(newsmon_events_extracted_total[5m]))",
                        "{{type}} {{status}} {{lang}}",
                    ),
                ),
                timeseries(
                    "Alerts by kind and type",
                    "ops",
                    ("sum by (kind, type) (rate(newsmon_alerts_emitted_total[5m]))", "{{kind}} {{type}}"),
                    description="type commitment → alerts.commitments, sanction → alerts.sanctions.",
                ),
            ],
        ),
        (
            "Kafka",
            [
                timeseries(
                    "Consumer lag by topic",
                    "short",
                    (
                        "sum by (topic) (max by (topic, partition) (newsmon_consumer_lag_records))",
                        "{{topic}}",
                    ),
                    description="Records the worker group has not committed; every worker reports it.",
                ),
                timeseries(
                    "Consumer lag by partition",
                    "short",
                    ("max by (topic, partition) (newsmon_consumer_lag_records)", "{{topic}} [{{partition}}]"),
                ),
            ],
        ),
        (
            "Errors and dead letters",
            [
                timeseries(
                    "Stage errors by reason",
                    "ops",
                    ("sum by (stage, reason) (rate(newsmon_stage_errors_total[5m]))", "{{stage}} {{reason}}"),
                ),
                timeseries(
                    "Dead letters by stage and reason",
                    "ops",
                    ("sum by (stage, reason) (rate(newsmon_dead_letters_total[5m]))", "{{stage}} {{reason}}"),
                ),
                timeseries(
                    "Connector errors by reason",
                    "ops",
                    ("sum by (reason) (rate(newsmon_connector_errors_total[5m]))", "{{reason}}"),
                ),
                timeseries(
                    "Sink deliveries and retries",
                    "ops",
                    (
                        "sum by (sink, outcome) (rate(newsmon_sink_deliveries_total[5m]))",
                        "{{sink}} {{outcome}}",
                    ),
                    ("sum by (sink) (rate(newsmon_sink_retries_total[5m]))", "{{sink}} retries"),
                ),
            ],
        ),
        (
            "Processes",
            [
                timeseries(
                    "CPU",
                    "percentunit",
                    (
                        f"sum by (job, instance) (rate(process_cpu_seconds_total{{{JOBS}}}[1m]))",
                        "{{job}} {{instance}}",
                    ),
                ),
                timeseries(
                    "Resident memory",
                    "bytes",
                    (f"process_resident_memory_bytes{{{JOBS}}}", "{{job}} {{instance}}"),
                ),
                timeseries("Scrape targets up", "short", (f"up{{{JOBS}}}", "{{job}} {{instance}}")),
            ],
        ),
    ]


def layout(sections: list[tuple[str, list[Panel]]]) -> list[Panel]:
    """Rows one under the other, each row's panels side by side at equal width."""
    panels: list[Panel] = []
    y = 0
    for title, members in sections:
        panels.append(RowPanel(title=title, gridPos=GridPos(h=1, w=WIDTH, x=0, y=y)))
        y += 1
        width = WIDTH // len(members)
        for index, panel in enumerate(members):
            panel.gridPos = GridPos(h=HEIGHT, w=width, x=index * width, y=y)
            panels.append(panel)
        y += HEIGHT
    return panels


def dashboard() -> Dashboard:
    return Dashboard(
        title="newsmon",
        uid="newsmon",
        tags=["newsmon"],
        refresh="30s",
        time=Time("now-6h", "now"),
        timezone="utc",
        panels=layout(rows()),
        templating=Templating(
            [
                Template(
                    name="datasource",
                    label="Prometheus",
                    query="prometheus",
                    type="datasource",
                    default=PROVISIONED_UID,
                )
            ]
        ),
    ).auto_panel_ids()


def render() -> str:
    return (
        json.dumps(
            dashboard().to_json_data(), cls=DashboardEncoder, indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
    )


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
