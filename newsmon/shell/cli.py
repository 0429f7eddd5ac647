"""The `newsmon` command. Each command loads the one Settings object and passes it down."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import tempfile
import threading
from contextlib import nullcontext
from pathlib import Path

import click
from pydantic import ValidationError

from newsmon.connectors.commands import feeds_group
from newsmon.lifetime import defer_stop
from newsmon.logs import configure_logging
from newsmon.settings import KafkaSettings, MetricsSettings, Settings, load_settings
from newsmon.streams.clean.command import clean_command
from newsmon.streams.dedup.command import dedup_command
from newsmon.streams.extract.command import eval_command, extract_command, train_command

LOGGER = logging.getLogger(__name__)


class Shutdown(BaseException):
    """Raised in the main thread on SIGTERM so that `finally` blocks stop brokers and children. Not an
    Exception, like KeyboardInterrupt: a handler of failures (a child that failed to start) must not take a
    stop for one and go on."""


def _raise_shutdown(signum: int, _frame: object) -> None:
    if defer_stop(signum):  # raised again once the child being started is recorded
        return
    raise Shutdown


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj


def _one_line(exc: Exception) -> str:
    """A configuration error in one line: pydantic spreads each invalid field of a ValidationError over
    several."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
        for error in exc.errors()
    )


def _require_metrics_port(metrics: MetricsSettings, port: int, whose: str = "") -> None:
    """Stop in one line if /metrics cannot listen on `port`: prometheus_client would fail with a traceback,
    after Kafka and the state are set up. The check and the server's own bind are not atomic, so a port taken
    in between still fails there."""
    from newsmon.broker import port_is_free

    if port == 0:
        return
    try:
        free = port_is_free(metrics.host, port)
    except OSError as exc:
        raise click.ClickException(
            f"metrics address {metrics.host}:{port}{whose} cannot be used: {exc.strerror or exc} "
            "(set metrics.host / NEWSMON_METRICS__HOST)"
        ) from exc
    if not free:
        raise click.ClickException(
            f"metrics port {port}{whose} is in use (set metrics.port / NEWSMON_METRICS__PORT)"
        )


def _require_state_dir(state_dir: Path) -> None:
    """Create `state_dir` (Faust creates only the last component of its data directory, state_dir/worker) and
    check that it takes new files, stopping in one line otherwise: the first write (RocksDB's, sqlite's,
    tansu's log) would fail with a traceback, or in a stage's retry loop."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        # mkdir succeeds on a read-only directory that exists: only a new file tells.
        with tempfile.TemporaryFile(dir=state_dir):
            pass
    except OSError as exc:
        # mkdir(parents=True) names the component it failed on, which may be a parent of state_dir (the probe
        # names its random file, of no use to the reader).
        failed = Path(exc.filename) if isinstance(exc.filename, str) else state_dir
        where = f": {failed}" if failed != state_dir and state_dir.is_relative_to(failed) else ""
        raise click.ClickException(
            f"state_dir {state_dir.absolute()} is not a writable directory: {exc.strerror or exc}{where} "
            "(set state_dir / NEWSMON_STATE_DIR)"
        ) from exc


def _require_kafka(kafka: KafkaSettings) -> None:
    """Wait up to `kafka.connect_wait_seconds` for the configured Kafka to answer, else stop in one line;
    later waits (processes.kafka_for's 60 s) then find it answering at once. No bootstrap servers: the
    embedded broker, which kafka_for starts and waits for itself."""
    from newsmon.broker import BrokerStartError, wait_until_kafka_answers

    bootstrap_servers = kafka.bootstrap_servers
    if bootstrap_servers is None:
        return
    try:
        wait_until_kafka_answers(bootstrap_servers, timeout=kafka.connect_wait_seconds)
    except BrokerStartError as exc:
        raise click.ClickException(
            f"Kafka at {bootstrap_servers} is not reachable: {exc.__cause__ or 'no answer'} "
            f"(waited {kafka.connect_wait_seconds:g} s; "
            "set kafka.bootstrap_servers / NEWSMON_KAFKA__BOOTSTRAP_SERVERS)"
        ) from exc


def _require_topics(bootstrap_servers: str, names: list[str]) -> None:
    """Stop in one line if a topic in `names` does not exist: a reader assigned no partition fails with a
    traceback (ValueError from kafka-python's seek)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-alerts-tail")
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    missing = [name for name in names if name not in existing]
    if missing:
        raise click.ClickException(
            f"topic(s) {', '.join(missing)} do not exist on Kafka at {bootstrap_servers} yet: "
            "create them with `newsmon topics create` (`newsmon run` and `newsmon worker` do too)"
        )


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
        raise click.ClickException(f"invalid configuration: {_one_line(exc)}") from exc
    configure_logging(settings.log_level, settings.log_format)
    signal.signal(signal.SIGTERM, _raise_shutdown)
    ctx.obj = settings


@cli.command()
@click.option("--port", type=int, default=9092, show_default=True, help="Loopback port to listen on.")
@click.pass_context
def broker(ctx: click.Context, port: int) -> None:
    """Run the broker of kafka.embedded alone (tansu in memory, or Kafka under state_dir/kafka), with every
    newsmon topic created, for other tools to use."""
    from newsmon.broker import BrokerStartError
    from newsmon.shell.processes import managed_broker

    settings = _settings(ctx)
    _require_state_dir(settings.state_dir)
    try:
        with managed_broker(settings, port=port) as running:
            click.echo(f"bootstrap servers: {running.bootstrap_servers} (Ctrl-C to stop)")
            try:
                code = running.process.wait()
            except (KeyboardInterrupt, Shutdown):
                return
    except BrokerStartError as exc:
        raise click.ClickException(f"cannot start the broker: {exc}") from exc
    # Waiting on the process, not forever: a broker that died must not leave this command looking healthy.
    raise click.ClickException(f"the broker exited with code {code}")


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
    _require_kafka(settings.kafka)
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
    _require_metrics_port(settings.metrics, settings.metrics.port)
    _require_state_dir(settings.state_dir)
    _require_kafka(settings.kafka)
    with kafka_for(settings) as bootstrap_servers:
        run_worker(settings, bootstrap_servers)


@cli.command()
@click.pass_context
def deliver(ctx: click.Context) -> None:
    """Deliver alerts to the configured webhook / Slack sinks (run exactly one per deployment)."""
    from newsmon.metrics import serve_metrics
    from newsmon.shell.processes import kafka_for
    from newsmon.streams.alerts.delivery import SinkFailed, deliver_until_stopped

    settings = _settings(ctx)
    if settings.alerts.deliver_in_worker:
        raise click.ClickException(
            "alerts.deliver_in_worker is true: the worker delivers, and `newsmon deliver` would send every "
            "alert a second time (set alerts.deliver_in_worker = false / "
            "NEWSMON_ALERTS__DELIVER_IN_WORKER=false)"
        )
    _require_metrics_port(settings.metrics, settings.metrics.port)
    _require_state_dir(settings.state_dir)
    _require_kafka(settings.kafka)
    with kafka_for(settings) as bootstrap_servers:
        serve_metrics(settings.metrics)
        if not settings.alerts.sinks:
            # Idle rather than exit: a service manager would restart an exited process forever.
            LOGGER.warning("no alerts.sinks configured: nothing to deliver")
        try:
            deliver_until_stopped(settings, bootstrap_servers, threading.Event())
        except (KeyboardInterrupt, Shutdown):
            pass
        except SinkFailed as exc:
            raise click.ClickException(str(exc)) from exc


@cli.command()
@click.pass_context
def connect(ctx: click.Context) -> None:
    """Run the feed connector: poll feeds, fetch pages, publish raw pages."""
    from newsmon.metrics import serve_metrics
    from newsmon.shell.connect import serve_until_signalled
    from newsmon.shell.processes import kafka_for

    settings = _settings(ctx)
    _require_metrics_port(settings.metrics, settings.metrics.port)
    _require_state_dir(settings.state_dir)
    _require_kafka(settings.kafka)
    with kafka_for(settings) as bootstrap_servers:
        serve_metrics(settings.metrics)
        try:
            asyncio.run(serve_until_signalled(settings, bootstrap_servers))
        except (KeyboardInterrupt, Shutdown):
            pass


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the whole service: broker (kafka.embedded unless configured), connector and worker processes, and
    the delivery process when sinks are configured."""
    from newsmon.broker import BrokerStartError
    from newsmon.liveness import Liveness, heartbeat_path
    from newsmon.shell.processes import ManagedBroker, Supervisor, kafka_for, spawn, write_effective_settings

    settings = _settings(ctx)
    port = settings.metrics.port
    worker_port = port + 1 if port else 0
    deliver_port = port + 2 if port else 0
    delivers = bool(settings.alerts.sinks) and not settings.alerts.deliver_in_worker
    # Checked here as well as in the children: a child that cannot start is restarted forever.
    _require_metrics_port(settings.metrics, port, " (the connector's)")
    _require_metrics_port(settings.metrics, worker_port, " (the worker's: metrics.port + 1)")
    if delivers:
        _require_metrics_port(settings.metrics, deliver_port, " (the delivery's: metrics.port + 2)")
    _require_state_dir(settings.state_dir)
    _require_kafka(settings.kafka)
    starters = {}
    running = {}
    if settings.kafka.bootstrap_servers:
        bootstrap_servers = settings.kafka.bootstrap_servers
        broker = None
    else:
        try:
            broker = ManagedBroker(settings)
            broker.start()
        except BrokerStartError as exc:
            raise click.ClickException(f"cannot start the broker: {exc}") from exc
        bootstrap_servers = broker.bootstrap_servers
        # Supervised with the others: started again on its port when it dies (tansu empty, Kafka with data).
        starters["broker"] = broker.start
        running["broker"] = broker.process
    try:
        with kafka_for(settings) if broker is None else nullcontext():
            settings_file = write_effective_settings(settings)
            starters["connector"] = lambda: spawn(["connect"], settings_file, bootstrap_servers, port)
            starters["worker"] = lambda: spawn(["worker"], settings_file, bootstrap_servers, worker_port)
            if delivers:
                starters["deliver"] = lambda: spawn(
                    ["deliver"], settings_file, bootstrap_servers, deliver_port
                )
            worker_liveness = Liveness(
                heartbeat_path(settings.state_dir),
                timeout=settings.worker.liveness_timeout_seconds,
                grace=settings.worker.liveness_grace_seconds,
            )
            supervisor = Supervisor(starters, running=running, liveness={"worker": worker_liveness})
            # Children stop before the broker (the first starter) does: a worker that loses its broker first
            # cannot commit or leave.
            try:
                supervisor.run()
            except (KeyboardInterrupt, Shutdown):
                pass
            finally:
                supervisor.stop()
    finally:
        if broker is not None:
            broker.stop()


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
        summary = run_demo(_settings(ctx), forever=forever, timeout=timeout, as_json=as_json)
    except (KeyboardInterrupt, Shutdown):
        return
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary.describe(), err=True)  # stderr: with --json, stdout carries only the alerts


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
    names = tail_topics(settings.kafka.topic_prefix, rule)
    _require_kafka(settings.kafka)
    _require_topics(settings.kafka.bootstrap_servers, names)
    reader = AlertReader(settings.kafka.bootstrap_servers, names, from_beginning=from_beginning)
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
