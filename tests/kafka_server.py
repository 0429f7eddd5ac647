"""A real single-node Apache Kafka (KRaft) for tests, run from its jars: no Docker, no distribution tarball.

The version and the broker settings come from the `kafka` service of docker-compose.yml, so the tests run the
Kafka that production runs. Maven resolves `org.apache.kafka:kafka_2.13:<version>` (with `kafka-tools`, whose
TopicCommand backs kafka-topics.sh, and the log4j binding the distribution ships) once into
`~/.cache/newsmon/kafka-<version>/libs`; later runs only read that directory.

Kept free of pytest so that a benchmark or a shell session can start one too:

    with KafkaServer(kafka_classpath(compose_kafka_version()), Path("/tmp/k")) as kafka:
        print(kafka.bootstrap_servers)
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import yaml

from newsmon.broker import BrokerStartError, free_port
from newsmon.lifetime import die_with_parent

LOGGER = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
MIN_JAVA = 17
RESOLVE_TIMEOUT = 900.0  # a first resolution downloads ~60 MB from Maven Central
START_TIMEOUT = 90.0  # the JVM, the KRaft quorum of one and the broker's registration: ~5-10 s on 2 cores
STOP_GRACE = 20.0  # a controlled shutdown of a single node takes a few seconds
HEAP = "-Xmx512m"

# Settings of the compose service that make no sense outside a container: the listeners, addresses and data
# directory are the test's own.
_COMPOSE_OWN = {
    "CLUSTER_ID",
    "KAFKA_NODE_ID",
    "KAFKA_LISTENERS",
    "KAFKA_ADVERTISED_LISTENERS",
    "KAFKA_CONTROLLER_QUORUM_VOTERS",
    "KAFKA_LOG_DIRS",
}

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsmon.tests</groupId>
  <artifactId>kafka-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
"""
# Pinned: Maven 3.8's default binding of the dependency plugin is 2.8, from 2013.
_COPY_DEPENDENCIES = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"

_LOG4J = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log_file}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
"""


class KafkaUnavailable(RuntimeError):
    """Java or Maven is missing or too old: the Kafka tier cannot run on this machine."""


def compose_kafka_service(compose_file: Path = COMPOSE_FILE) -> dict:
    return yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]["kafka"]


def compose_kafka_version(compose_file: Path = COMPOSE_FILE) -> str:
    """The tag of the `apache/kafka` image production runs, e.g. 3.9.1."""
    image = compose_kafka_service(compose_file)["image"]
    match = re.fullmatch(r"apache/kafka:(\d+\.\d+\.\d+)", image)
    if match is None:
        raise ValueError(f"docker-compose.yml's kafka image is not apache/kafka:X.Y.Z: {image}")
    return match.group(1)


def compose_broker_properties(compose_file: Path = COMPOSE_FILE) -> dict[str, str]:
    """The compose service's KAFKA_* environment as server.properties entries, converted the way the
    apache/kafka image converts them (`_` → `.`, `__` → `_`, `___` → `-`)."""
    properties = {}
    for name, value in compose_kafka_service(compose_file)["environment"].items():
        if not name.startswith("KAFKA_") or name in _COMPOSE_OWN:
            continue
        key = name.removeprefix("KAFKA_").lower()
        key = key.replace("___", "\0").replace("__", "\1").replace("_", ".")
        properties[key.replace("\0", "-").replace("\1", "_")] = str(value)
    return properties


def compose_cluster_id(compose_file: Path = COMPOSE_FILE) -> str:
    return str(compose_kafka_service(compose_file)["environment"]["CLUSTER_ID"])


def missing_tools() -> str | None:
    """Why the Kafka tier cannot run here (no java, java older than 17, no mvn), or None when it can."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if java is None or mvn is None:
        return f"needs Java {MIN_JAVA}+ and Maven on PATH (java: {java}, mvn: {mvn})"
    banner = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', banner)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0_402" is Java 8
        major = int(match.group(2))
    if major < MIN_JAVA:
        return f"needs Java {MIN_JAVA}+, found: {banner.splitlines()[0] if banner else 'no version'}"
    return None


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsmon"


def kafka_classpath(version: str, root: Path | None = None) -> list[Path]:
    """The jars of Kafka `version`, resolved with Maven on first use and cached under `root`.

    A lock serialises concurrent test runs on one machine, and the jars are moved into place only once Maven
    succeeded, so an interrupted resolution is redone rather than half used."""
    root = root or cache_root()
    cache = root / f"kafka-{version}"
    libs, complete = cache / "libs", cache / "complete"
    if not complete.exists():
        root.mkdir(parents=True, exist_ok=True)
        with open(root / f"kafka-{version}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not complete.exists():
                _resolve(version, cache)
    jars = sorted(libs.glob("*.jar"))
    if not jars:
        raise BrokerStartError(f"{libs} holds no jar; delete {cache} to resolve again")
    return jars


def _resolve(version: str, cache: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaUnavailable("mvn is not on PATH")
    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=cache, prefix="resolve-") as scratch:
        work = Path(scratch)
        (work / "pom.xml").write_text(_POM.format(version=version), encoding="utf-8")
        log_file = cache / "resolve.log"
        with open(log_file, "wb") as log:
            result = subprocess.run(
                [
                    mvn,
                    "-B",
                    "--no-transfer-progress",
                    "-f",
                    str(work / "pom.xml"),
                    _COPY_DEPENDENCIES,
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={work / 'libs'}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=RESOLVE_TIMEOUT,
            )
        if result.returncode != 0:
            tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise BrokerStartError(f"Maven could not resolve Kafka {version} (log: {log_file}):\n{tail}")
        shutil.rmtree(cache / "libs", ignore_errors=True)
        (work / "libs").rename(cache / "libs")
    seconds = time.monotonic() - started
    (cache / "complete").write_text(f"resolved in {seconds:.1f} s\n", encoding="utf-8")
    LOGGER.warning("resolved Kafka %s with Maven in %.1f s into %s", version, seconds, cache)


def java_command(classpath: list[Path], main_class: str, *args: str, jvm: tuple[str, ...] = ()) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise KafkaUnavailable("java is not on PATH")
    return [java, *jvm, "-cp", os.pathsep.join(map(str, classpath)), main_class, *args]


# The scripts of the distribution's bin/ that deploy/kafka/create-topics.sh calls, and the class each runs.
CLI_SCRIPTS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "kafka.admin.ConfigCommand",
}


def write_cli_scripts(classpath: list[Path], directory: Path) -> Path:
    """A bin/ directory with the distribution's CLI scripts that deploy/kafka/create-topics.sh uses, each
    running its class from the resolved jars; returns the directory (for the script's KAFKA_BIN)."""
    directory.mkdir(parents=True, exist_ok=True)
    log4j = directory / "tools-log4j.properties"
    # The tools log warnings only, to stderr, as the distribution's tools-log4j.properties does.
    log4j.write_text(
        "log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.appender.stderr.Target=System.err\n",
        encoding="utf-8",
    )
    # Short-lived JVMs: C1 only and a small heap start them fastest.
    jvm = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", f"-Dlog4j.configuration=file:{log4j}")
    for name, main_class in CLI_SCRIPTS.items():
        command = " ".join(f"'{part}'" for part in java_command(classpath, main_class, jvm=jvm))
        script = directory / name
        script.write_text(f'#!/bin/sh\nexec {command} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return directory


class KafkaServer:
    """One KRaft node (broker and controller) on free loopback ports, its data and logs under `work_dir`.

    It runs in its own process group, so stop() takes the JVM and anything it started; it also gets SIGTERM
    if the process that started it dies, even by SIGKILL, so a killed test run leaves no broker behind.
    stop() (or kill()) then start() restarts it on the same ports with the same data, as a real broker outage
    does."""

    def __init__(self, classpath: list[Path], work_dir: Path, host: str = "127.0.0.1") -> None:
        self.classpath = classpath
        self.host = host
        self.port = free_port(host)
        self.controller_port = free_port(host)
        self.work_dir = work_dir
        self.log_file = work_dir / "server.log"
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._formatted = False

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def _jvm(self) -> tuple[str, ...]:
        return (
            HEAP,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.work_dir / 'log4j.properties'}",
        )

    def _write_config(self) -> Path:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        properties = {
            **compose_broker_properties(),
            "node.id": "1",
            "process.roles": "broker,controller",
            "controller.quorum.voters": f"1@{self.host}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "log.dirs": str(self.work_dir / "data"),
        }
        config = self.work_dir / "server.properties"
        config.write_text("".join(f"{key}={value}\n" for key, value in properties.items()), encoding="utf-8")
        (self.work_dir / "log4j.properties").write_text(
            _LOG4J.format(log_file=self.log_file), encoding="utf-8"
        )
        return config

    def _format(self, config: Path) -> None:
        command = java_command(
            self.classpath,
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            compose_cluster_id(),
            "--config",
            str(config),
            jvm=(*self._jvm(), "-XX:TieredStopAtLevel=1"),  # a short-lived JVM: start fast
        )
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            raise BrokerStartError(f"kafka-storage format failed: {result.stdout}{result.stderr}")

    def start(self) -> KafkaServer:
        started = time.monotonic()
        config = self._write_config()
        if not self._formatted:
            self._format(config)
            self._formatted = True
        output = open(self.work_dir / "stdout.log", "ab")  # noqa: SIM115 - the child holds it
        try:
            self._process = subprocess.Popen(
                java_command(self.classpath, "kafka.Kafka", str(config), jvm=self._jvm()),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        finally:
            output.close()
        try:
            self._wait_until_ready(started + START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        LOGGER.info("Kafka at %s ready in %.1f s", self.bootstrap_servers, self.startup_seconds)
        return self

    def _wait_until_ready(self, deadline: float) -> None:
        """Poll with a deadline until the broker answers metadata naming itself (registered with the
        controller and unfenced: before that it refuses to create topics) and coordinates consumer groups (a
        fresh node creates __consumer_offsets on the first FindCoordinator and answers
        COORDINATOR_NOT_AVAILABLE until then, which clients without retries, such as the lag reader, would
        see). Fails at once if the JVM exits."""
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise BrokerStartError(
                    f"Kafka exited with {self._process.returncode} while starting; see {self.log_file}"
                )
            try:
                # A plain connect first: kafka-python logs every refused connection as an error.
                socket.create_connection((self.host, self.port), timeout=1.0).close()
                admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=3000)
                try:
                    if admin.describe_cluster().get("brokers"):
                        admin.describe_groups(["newsmon-readiness-probe"])
                        return
                finally:
                    admin.close()
            except (KafkaError, OSError, ValueError) as exc:
                last_error = exc
            time.sleep(0.2)
        raise BrokerStartError(
            f"Kafka at {self.bootstrap_servers} not ready in {START_TIMEOUT:.0f} s: {last_error}; "
            f"see {self.log_file}"
        )

    def stop(self) -> None:
        """SIGTERM to the process group (a controlled shutdown), SIGKILL after STOP_GRACE seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        for sig, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 30.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                LOGGER.warning("Kafka did not stop within %.0f s of %s", grace, sig.name)
        # The JVM gone, make sure nothing else of its group is left (it starts no children, but the group
        # is ours to clean).
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the process group, as a crash or a power cut: no controlled shutdown, no flush. start()
        then brings the broker back on the same ports with what its log dir holds."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def __enter__(self) -> KafkaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
