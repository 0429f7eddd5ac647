"""Shared fixtures: the brokers the broker-dependent tests run on, the processes a test saw, and the path to
../shared.

A test that asks for `broker` runs once per broker kind: on `tansu` (the embedded development broker) and on
`kafka`, a real Apache Kafka of the version production runs (tests/kafka_server.py), when Java 17+ and Maven
are present; without them its Kafka run is skipped with the reason. `--brokers tansu` runs the tansu tier
alone. `@pytest.mark.brokers("tansu")` keeps a test on the kinds it names (see README, Development)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsmon.broker import EmbeddedBroker
from tests.kafka_server import KafkaServer, compose_kafka_version, kafka_classpath, missing_tools
from tests.process_tree import kill_leftovers

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BROKER_KINDS = ("tansu", "kafka")
_TIMINGS = pytest.StashKey[dict[str, float]]()


@dataclass(frozen=True)
class Broker:
    """What a test sees of the broker it runs on: its kind (tansu or kafka) and its address."""

    kind: str
    bootstrap_servers: str


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--brokers",
        default=",".join(BROKER_KINDS),
        help="comma-separated broker kinds the broker tests run on (default: tansu,kafka)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "brokers(*kinds): run this broker test on these kinds only")
    config.stash[_TIMINGS] = {}


def _selected_kinds(config: pytest.Config) -> list[str]:
    kinds = [kind.strip() for kind in config.getoption("brokers").split(",") if kind.strip()]
    unknown = set(kinds) - set(BROKER_KINDS)
    if unknown:
        raise pytest.UsageError(f"--brokers: unknown kind(s) {sorted(unknown)}; known: {BROKER_KINDS}")
    return kinds


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`broker` (the session's broker of each kind) and `broker_kind` (the kind alone, for a test that starts
    and stops brokers of its own) are parametrized by the kinds selected with --brokers."""
    names = [name for name in ("broker", "broker_kind") if name in metafunc.fixturenames]
    if not names:
        return
    kinds = _selected_kinds(metafunc.config)
    marker = metafunc.definition.get_closest_marker("brokers")
    if marker is not None:
        kinds = [kind for kind in kinds if kind in marker.args]
    if "broker" in names:
        # Session scope: one broker of each kind serves every test, and pytest groups the tests by kind.
        metafunc.parametrize("broker", kinds, indirect=True, scope="session")
    else:
        metafunc.parametrize("broker_kind", kinds)


@pytest.fixture(scope="session")
def tansu_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """One tansu broker for the session; tests isolate themselves with their own topic prefix."""
    log_file = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with EmbeddedBroker(log_file=log_file) as running:
        yield running


@pytest.fixture(scope="session")
def kafka_jars(request: pytest.FixtureRequest) -> list[Path]:
    """The classpath of the Kafka that docker-compose.yml runs, resolved with Maven on first use (cached
    across runs); skipped, with the reason, where Java 17+ or Maven is missing or `--brokers` leaves Kafka
    out (the tests that use a Kafka of their own, tests/kafka/ and the topic script's, ask for it here)."""
    if "kafka" not in _selected_kinds(request.config):
        pytest.skip("Kafka tier: not among --brokers")
    reason = missing_tools()
    if reason is not None:
        pytest.skip(f"Kafka tier: {reason}")
    started = time.monotonic()
    classpath = kafka_classpath(compose_kafka_version())
    request.config.stash[_TIMINGS]["jars"] = time.monotonic() - started
    return classpath


@pytest.fixture(scope="session")
def kafka_broker(
    request: pytest.FixtureRequest, kafka_jars: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KafkaServer]:
    """One Apache Kafka node for the session (KRaft, the version and settings of docker-compose.yml).

    Skipped with kafka_jars; a failed resolution or start is an error, not a skip, so a machine that has the
    tools cannot pass without the tier."""
    with KafkaServer(kafka_jars, tmp_path_factory.mktemp("kafka")) as server:
        request.config.stash[_TIMINGS]["start"] = server.startup_seconds or 0.0
        yield server
        # Its data is thrown away: the controlled shutdown of stop() cost 5-8 s at the end of every run.
        server.kill()


@pytest.fixture(scope="session")
def broker(request: pytest.FixtureRequest) -> Broker:
    """The broker of this test's kind (parametrized by pytest_generate_tests)."""
    server = request.getfixturevalue(f"{request.param}_broker")
    return Broker(kind=request.param, bootstrap_servers=server.bootstrap_servers)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    timings = config.stash.get(_TIMINGS, {})
    if timings:
        terminalreporter.write_line(
            f"Kafka tier: jars ready in {timings.get('jars', 0.0):.1f} s (Maven runs on the first use only), "
            f"broker started in {timings.get('start', 0.0):.1f} s"
        )


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): this test reads third-party data from it")
    return SHARED


@pytest.fixture
def tree_cleanup() -> Iterator[set[tuple[int, str]]]:
    """Processes a test saw (tests.process_tree.identity); whichever of them still runs at its end is killed,
    whatever the outcome."""
    seen: set[tuple[int, str]] = set()
    yield seen
    kill_leftovers(seen)
