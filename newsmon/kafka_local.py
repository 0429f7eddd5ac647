"""A real single-node Apache Kafka (KRaft) run from its jars on this machine: no Docker, no distribution
tarball.

Maven resolves `org.apache.kafka:kafka_2.13:<version>` (with `kafka-tools`, and the log4j binding the
distribution ships) once into `~/.cache/newsmon/kafka-<version>/libs`; later starts only read that directory.
`newsmon run` / `newsmon broker` with `kafka.embedded = "kafka"` keep it under `state_dir/kafka` (the durable,
bounded one-box service); the test tier (tests/kafka_server.py) runs it with docker-compose.yml's settings.

    with KafkaServer(kafka_classpath(KAFKA_VERSION), Path("/tmp/k")) as kafka:
        print(kafka.bootstrap_servers)
"""

from __future__ import annotations

import base64
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
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from newsmon.broker import BrokerStartError, free_port
from newsmon.lifetime import die_with_parent

LOGGER = logging.getLogger(__name__)

# The version docker-compose.yml's `kafka` service runs (tests/newsmon/test_kafka_local.py keeps them equal).
KAFKA_VERSION = "3.9.1"
MIN_JAVA = 17
RESOLVE_TIMEOUT = 900.0  # a first resolution downloads ~60 MB from Maven Central
START_TIMEOUT = 90.0  # the JVM, the KRaft quorum of one and the broker's registration: ~5-10 s on 2 cores
STOP_GRACE = 20.0  # a controlled shutdown of a single node takes a few seconds

# What a single node needs whatever else it is told (docker-compose.yml's service sets the same).
SINGLE_NODE = {
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
}

# The one-box service's node. Kafka deletes whole closed segments only, and by default closes one at 1 GiB or
# after 7 days: at 1 page/s a topic's retention of days would then bite only after weeks. Segments of 16 MiB,
# rolled at least hourly, make every topic's retention (newsmon.topics.RETENTION_DAYS) hold within an hour.
# Records are stored gzip-compressed (clients read gzip natively): news HTML shrinks about fivefold.
ONE_BOX = {
    **SINGLE_NODE,
    "log.segment.bytes": str(16 * 1024 * 1024),
    "log.roll.ms": str(3600 * 1000),
    "log.retention.check.interval.ms": str(300 * 1000),
    "log.retention.hours": "168",  # topics newsmon does not create (Faust's changelogs are compacted)
    "compression.type": "gzip",
}
_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsmon</groupId>
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

# Rolled, so that a broker left running for weeks keeps a bounded log.
_LOG4J = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File={log_file}
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
"""


class KafkaUnavailable(BrokerStartError):
    """Java or Maven is missing or too old: Kafka cannot run from its jars on this machine."""


def missing_tools() -> str | None:
    """Why Kafka cannot run here (no java, java older than 17, no mvn), or None when it can."""
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


def kafka_classpath(version: str = KAFKA_VERSION, root: Path | None = None) -> list[Path]:
    """The jars of Kafka `version`, resolved with Maven on first use and cached under `root`.

    A lock serialises concurrent resolutions on one machine, and the jars are moved into place only once Maven
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


def new_cluster_id() -> str:
    """A KRaft cluster id: a random UUID, base64url without padding, drawn again while it starts with "-" (as
    Kafka's own `Uuid.randomUuid` does): kafka-storage would read such an id (1 in 64 draws) as an option and
    refuse to format the log directory."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaServer:
    """One KRaft node (broker and controller) on loopback, its data and logs under `work_dir`.

    `properties` are server.properties entries beside the node's own (listeners, quorum, log.dirs). A data
    directory that exists is reused; a new one is formatted with `cluster_id` (default: a new random one, so
    a lost data directory comes back as a new cluster, which newsmon.broker_identity notices). It runs in its
    own process group, so stop() takes the JVM and anything it started; it also gets SIGTERM if the process
    that started it dies, even by SIGKILL. stop() (or kill()) then start() restarts it on the same ports with
    its data, as a real broker outage does."""

    def __init__(
        self,
        classpath: list[Path],
        work_dir: Path,
        *,
        properties: Mapping[str, str] = SINGLE_NODE,
        cluster_id: str | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        heap_mb: int = 512,
    ) -> None:
        self.classpath = classpath
        self.host = host
        self.port = port or free_port(host)
        self.controller_port = free_port(host)
        self.work_dir = work_dir
        self.properties = dict(properties)
        self.log_file = work_dir / "server.log"
        self.startup_seconds: float | None = None
        self._cluster_id = cluster_id
        self._heap_mb = heap_mb
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("Kafka is not running")
        return self._process

    def _jvm(self) -> tuple[str, ...]:
        return (
            f"-Xmx{self._heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.work_dir / 'log4j.properties'}",
        )

    def _write_config(self) -> Path:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        properties = {
            **self.properties,
            "node.id": "1",
            "process.roles": "broker,controller",
            "controller.quorum.voters": f"1@{self.host}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "log.dirs": str(self.data_dir),
        }
        config = self.work_dir / "server.properties"
        config.write_text("".join(f"{key}={value}\n" for key, value in properties.items()), encoding="utf-8")
        (self.work_dir / "log4j.properties").write_text(
            _LOG4J.format(log_file=self.log_file), encoding="utf-8"
        )
        return config

    def _format(self, config: Path) -> None:
        cluster_id = self._cluster_id or new_cluster_id()
        command = java_command(
            self.classpath,
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            cluster_id,
            "--config",
            str(config),
            jvm=(*self._jvm(), "-XX:TieredStopAtLevel=1"),  # a short-lived JVM: start fast
        )
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            raise BrokerStartError(f"kafka-storage format failed: {result.stdout}{result.stderr}")
        LOGGER.info("formatted a new Kafka log directory", extra={"data_dir": str(self.data_dir)})

    def start(self) -> KafkaServer:
        started = time.monotonic()
        config = self._write_config()
        if not (self.data_dir / "meta.properties").exists():
            self._format(config)
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
