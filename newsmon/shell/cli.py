"""The `newsmon` command. Each command loads the one Settings object and passes it down."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from pathlib import Path

import click

from newsmon.connectors.commands import feeds_group
from newsmon.logs import configure_logging
from newsmon.settings import Settings, load_settings
from newsmon.streams.clean.command import clean_command
from newsmon.streams.dedup.command import dedup_command
from newsmon.streams.extract.command import eval_command, extract_command, train_command


class Shutdown(Exception):
    """Raised in the main thread on SIGTERM so that `finally` blocks stop brokers and children."""


def _raise_shutdown(_signum: int, _frame: object) -> None:
    raise Shutdown


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj


@click.group()
@click.version_option(package_name="newsmon", prog_name="newsmon")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="NEWSMON_CONFIG",
    help="TOML config file (env NEWSMON_CONFIG).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """newsmon: alerts on new commitments and sanctions in Arabic and English news."""
    try:
        settings = load_settings(config_file)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from exc
    configure_logging(settings.log_level)
    signal.signal(signal.SIGTERM, _raise_shutdown)
    ctx.obj = settings


@cli.command()
@click.option("--port", type=int, default=9092, show_default=True, help="Loopback port to listen on.")
def broker(port: int) -> None:
    """Run the embedded in-memory tansu broker alone, for other tools to use."""
    from newsmon.broker import EmbeddedBroker

    with EmbeddedBroker(port=port) as running:
        click.echo(f"bootstrap servers: {running.bootstrap_servers} (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except (KeyboardInterrupt, Shutdown):
            pass


@cli.group()
def topics() -> None:
    """Topic administration."""


@topics.command("create")
@click.pass_context
def topics_create(ctx: click.Context) -> None:
    """Create every newsmon topic on the configured Kafka (idempotent)."""
    from newsmon.kafka_admin import ensure_topics

    settings = _settings(ctx)
    if not settings.kafka.bootstrap_servers:
        raise click.ClickException("set NEWSMON_KAFKA__BOOTSTRAP_SERVERS (or [kafka] bootstrap_servers)")
    created = ensure_topics(
        settings.kafka, settings.kafka.bootstrap_servers, settings.alerts.rule_names(), settings.limits
    )
    click.echo(f"created {len(created)} topic(s): {', '.join(created) or '-'}")


@cli.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Run the Faust worker: clean, dedup, extract and alert agents."""
    from newsmon.shell.processes import kafka_for
    from newsmon.streams.worker import run_worker

    settings = _settings(ctx)
    # Faust creates only the last component of its data directory (state_dir/worker), and a configured Kafka,
    # unlike the embedded broker, does not create state_dir for it.
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with kafka_for(settings) as bootstrap_servers:
        run_worker(settings, bootstrap_servers)


@cli.command()
@click.pass_context
def connect(ctx: click.Context) -> None:
    """Run the feed connector: poll feeds, fetch pages, publish raw pages."""
    from newsmon.metrics import serve_metrics
    from newsmon.shell.connect import serve_until_signalled
    from newsmon.shell.processes import kafka_for

    settings = _settings(ctx)
    with kafka_for(settings) as bootstrap_servers:
        serve_metrics(settings.metrics)
        try:
            asyncio.run(serve_until_signalled(settings, bootstrap_servers))
        except (KeyboardInterrupt, Shutdown):
            pass


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the whole service: broker (embedded unless configured), connector and worker processes."""
    from newsmon.shell.processes import Supervisor, kafka_for, spawn, write_effective_settings

    settings = _settings(ctx)
    with kafka_for(settings) as bootstrap_servers:
        settings_file = write_effective_settings(settings)
        port = settings.metrics.port
        worker_port = port + 1 if port else 0
        supervisor = Supervisor(
            {
                "connector": lambda: spawn(["connect"], settings_file, bootstrap_servers, port),
                "worker": lambda: spawn(["worker"], settings_file, bootstrap_servers, worker_port),
            }
        )
        # Children stop before the broker does: a worker that loses its broker first cannot commit or leave.
        try:
            supervisor.run()
        except (KeyboardInterrupt, Shutdown):
            pass
        finally:
            supervisor.stop()


@cli.command()
@click.option("--forever", is_flag=True, help="Keep polling the demo feeds instead of exiting when drained.")
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Give up (exit 1) if the pipeline has not drained by then.",
)
@click.option("--json", "as_json", is_flag=True, help="Print alerts as JSON lines.")
@click.pass_context
def demo(ctx: click.Context, forever: bool, timeout: float, as_json: bool) -> None:
    """Serve the bundled demo news site on loopback, run the pipeline on it and print the alerts."""
    from newsmon.shell.demo.run import run_demo

    try:
        alerts = run_demo(_settings(ctx), forever=forever, timeout=timeout, as_json=as_json)
    except (KeyboardInterrupt, Shutdown):
        return
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from exc
    if not as_json:
        click.echo(f"demo drained: {alerts} alert(s)", err=True)


@cli.group()
def alerts() -> None:
    """Read the alert topics."""


@alerts.command("tail")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, for machines.")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest alert still on the topics.")
@click.option(
    "--rule",
    default=None,
    help="Tail the watch rule's topic alerts.<rule> instead of the commitment and sanction topics.",
)
@click.pass_context
def alerts_tail(ctx: click.Context, as_json: bool, from_beginning: bool, rule: str | None) -> None:
    """Print alerts as they arrive (each alert_id once)."""
    from newsmon.shell.alerts_tail import AlertReader, format_alert, format_alert_json, tail, tail_topics

    settings = _settings(ctx)
    if not settings.kafka.bootstrap_servers:
        raise click.ClickException("set NEWSMON_KAFKA__BOOTSTRAP_SERVERS to the broker the service uses")
    reader = AlertReader(
        settings.kafka.bootstrap_servers,
        tail_topics(settings.kafka.topic_prefix, rule),
        from_beginning=from_beginning,
    )
    render = format_alert_json if as_json else format_alert
    try:
        tail(reader, lambda alert: click.echo(render(alert)), threading.Event())
    except (KeyboardInterrupt, Shutdown):
        pass
    finally:
        reader.close()


@cli.command()
@click.option(
    "--write",
    "write_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one <record>.v<version>.json per record into this folder.",
)
def schemas(write_dir: Path | None) -> None:
    """Print (or write) the JSON Schema of every record on the topics."""
    from newsmon.schemas import json_schemas

    documents = json_schemas()
    if write_dir is None:
        click.echo(json.dumps(documents, indent=2, ensure_ascii=False))
        return
    write_dir.mkdir(parents=True, exist_ok=True)
    for filename, document in documents.items():
        (write_dir / filename).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    click.echo(f"wrote {len(documents)} schema(s) to {write_dir}")


for command in (clean_command, extract_command, eval_command, train_command, dedup_command, feeds_group):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="newsmon")


if __name__ == "__main__":
    sys.exit(main())
