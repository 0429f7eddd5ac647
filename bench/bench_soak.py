"""Soak benchmark (issue #17): `newsmon run` left running at a fixed page rate, its broker killed.

    .venv/bin/python bench/bench_soak.py                          # 2 pages/s × 30 min on tansu and on Kafka
    .venv/bin/python bench/bench_soak.py --minutes 3 --brokers kafka --disruption reboot

For each broker kind (`kafka.embedded`: tansu, or Apache Kafka from its jars), one `newsmon run` reads the
synthetic site of bench/loadgen.py (`--rate` pages/s for `--minutes`, then nothing new), own state_dir each.
`--kills` times, evenly spread, something is killed with SIGKILL:

- `--disruption broker`: the broker process alone; `newsmon run` starts it again (tansu empty, Kafka with its
  data), the connector and the worker notice a new cluster where there is one;
- `--disruption reboot`: every process of the service at once (as a power cut leaves them), then a new
  `newsmon run` on the same state_dir.

Before each kill and at the end the harness reads `articles`, `dead-letter` and the alert topics (tansu loses
them at a restart). `pages in` = pages the site released; `lost` = released pages that never reached
`articles` or `dead-letter`; `dup articles` / `dup alerts` = records beyond the first per page URL / alert_id
(a repeated alert is one a sink would be sent twice unless its ledger stops it). RSS per process and disk per
state_dir part are taken once the first article arrived (start), every minute (the trend, and each process's
RSS slope in MB/h over its last life, disk per worker table) and after the drain (end). Results are printed as
a table and written to bench/results/soak.json, with the URLs of the lost pages.

`--feed-window N`: items each feed lists (50); with few, an item a lost broker held and no feed lists any more
must come from the connector's unfinished items. `--window-days D`: the dedup window, swept every 30 s; a few
minutes' worth shows the worker's tables expire within the run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import _children, _cmdline, _stat  # noqa: E402 - sibling script
from loadgen import LoadServer, LoadSpec, loadgen_settings  # noqa: E402

from newsmon.broker_identity import cluster_id  # noqa: E402
from newsmon.kafka_local import ONE_BOX  # noqa: E402
from newsmon.records import Alert, Article, DeadLetter  # noqa: E402
from newsmon.settings import KafkaSettings, MetricsSettings, Settings  # noqa: E402
from newsmon.topics import ARTICLES, DEAD_LETTER, RETENTION_DAYS, Topics  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"
READY_TIMEOUT = 180.0  # Kafka's first start formats its log directory and starts a JVM: ~15 s on 2 cores
DRAIN_QUIET = 30.0  # the drain is over when nothing new reached the topics for this long
DRAIN_TIMEOUT = 300.0
PARTITIONS = 4
WORKER_TOPICS = "worker topics"
SAMPLE_SECONDS = 60.0  # RSS and disk every minute, for the trend


# ------------------------------------------------------------------------------------------ the service


def _descendants(pid: int) -> list[int]:
    tree = _children()
    found, frontier = [], [pid]
    while frontier:
        children = tree.get(frontier.pop(), [])
        found += children
        frontier += children
    return found


def _role(pid: int) -> str | None:
    """broker, connector or worker for a direct child of `newsmon run`; None for anything else."""
    command = _cmdline(pid)
    if "--listener-url" in command or "kafka.Kafka" in command:
        return "broker"
    for role in ("connect", "worker", "deliver"):
        if f"-m newsmon {role}" in command:
            return "connector" if role == "connect" else role
    return None


class Service:
    """One `newsmon run` in its own session (so that a reboot can kill all its processes at once)."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "--config", str(self.config), "run"],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def roles(self) -> dict[str, list[int]]:
        """Each role's processes: a direct child and its descendants (the worker's pool)."""
        assert self.process is not None
        found: dict[str, list[int]] = {}
        for child in _children().get(self.process.pid, []):
            role = _role(child)
            if role is not None:
                found.setdefault(role, []).extend([child, *_descendants(child)])
        return found

    def bootstrap_servers(self) -> str | None:
        """The broker address, as `newsmon run` hands it to the connector."""
        for pid in self.roles().get("connector", [])[:1]:
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                return None
            for entry in environ:
                if entry.startswith(b"NEWSMON_KAFKA__BOOTSTRAP_SERVERS="):
                    return entry.split(b"=", 1)[1].decode()
        return None

    def rss_mb(self) -> dict[str, float]:
        return {
            role: round(sum((_stat(pid) or (0, 0.0, 0))[2] for pid in pids) / 1e6, 1)
            for role, pids in sorted(self.roles().items())
        }

    def kill_broker(self) -> None:
        pid = self.roles()["broker"][0]
        os.kill(pid, signal.SIGKILL)

    def kill_all(self) -> None:
        """SIGKILL to every process of the service at once: the deepest first, `newsmon run` last, so that
        none outlives its parent long enough to get the parent-death SIGTERM and shut down cleanly."""
        assert self.process is not None
        for pid in [*reversed(_descendants(self.process.pid)), self.process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        leftovers = _descendants(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _disk_mb(state_dir: Path) -> dict[str, float]:
    """Disk used under each part of state_dir (kafka, worker tables, connector, logs), in MB."""
    parts: Counter[str] = Counter()
    for path in state_dir.rglob("*"):
        try:
            if path.is_file():
                relative = path.relative_to(state_dir).parts
                parts[relative[0] if len(relative) > 1 else "files"] += path.stat().st_blocks * 512
        except OSError:
            continue
    return {part: round(size / 1e6, 1) for part, size in sorted(parts.items())}


def _tables_mb(state_dir: Path) -> dict[str, float]:
    """Disk used by each of the worker's tables (its RocksDB stores, all partitions), in MB."""
    sizes: Counter[str] = Counter()
    for store in (state_dir / "worker").glob("v*/tables/*-[0-9]*.db"):
        table = store.name.rsplit("-", 1)[0]
        sizes[table] += sum(path.stat().st_blocks * 512 for path in store.rglob("*") if path.is_file())
    return {table: round(size / 1e6, 2) for table, size in sorted(sizes.items())}


class TrendSampler(threading.Thread):
    """RSS per process and disk per state_dir part every SAMPLE_SECONDS, from the first article to the end:
    the trend a week's bound is extrapolated from."""

    def __init__(self, service: Service, state_dir: Path, began: float) -> None:
        super().__init__(name="trend", daemon=True)
        self.service = service
        self.state_dir = state_dir
        self.began = began
        self.samples: list[dict[str, Any]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_SECONDS):
            roles = self.service.roles()
            self.samples.append(
                {
                    "seconds": round(time.time() - self.began),
                    "pid": {role: pids[0] for role, pids in roles.items()},
                    "rss_mb": self.service.rss_mb(),
                    "disk_mb": _disk_mb(self.state_dir),
                    "tables_mb": _tables_mb(self.state_dir),
                }
            )

    def stop(self) -> None:
        self._halt.set()
        self.join()


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per hour; None for fewer than 3 points."""
    if len(points) < 3:
        return None
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return round(sum((t - mean_t) * (v - mean_v) for t, v in points) / spread * 3600, 1) if spread else None


def rss_slopes(samples: list[dict[str, Any]]) -> dict[str, float | None]:
    """Each process's RSS slope (MB/h) over its current life: the trailing samples with its present pid (a
    restarted broker, or a worker restarted to rebuild its tables, starts its curve again)."""
    slopes: dict[str, float | None] = {}
    for role in sorted(samples[-1]["pid"] if samples else ()):
        pid = samples[-1]["pid"][role]
        life = []
        for sample in reversed(samples):
            if sample["pid"].get(role) != pid:
                break
            life.append((sample["seconds"], sample["rss_mb"][role]))
        slopes[role] = slope_per_hour(life)
    return slopes


def _topic_bytes(state_dir: Path, prefix: str, app_id: str) -> dict[str, int]:
    """Disk used per topic of the local Kafka: newsmon's by relative name, the worker's own (Faust's
    changelogs and repartition topics) as one `worker topics`."""
    sizes: Counter[str] = Counter()
    for partition in (state_dir / "kafka" / "data").glob("*-[0-9]*"):
        name = partition.name.rsplit("-", 1)[0]
        if name.startswith(prefix):
            topic = name.removeprefix(prefix)
        elif name.startswith(f"{app_id}-"):
            topic = WORKER_TOPICS
        else:
            continue
        # Blocks used, not apparent sizes: Kafka preallocates 10 MB sparse index files per segment.
        sizes[topic] += sum(path.stat().st_blocks * 512 for path in partition.iterdir() if path.is_file())
    return dict(sizes)


def week_disk_bound_mb(topic_bytes: dict[str, int], pages: int, pages_per_second: float = 1.0) -> float:
    """Disk a week at `pages_per_second` needs: each topic's measured bytes per page × the pages of its
    retention (newsmon.topics.RETENTION_DAYS), at most a week's (the worker's topics: a week's), plus one
    segment per partition, the most a segment not yet closed or expired holds beyond the retention (hourly
    roll, 16 MiB)."""
    week = 7 * 86400
    kept_seconds = {topic: min(days * 86400, week) for topic, days in RETENTION_DAYS.items()}
    # The worker's changelogs are compacted, not expired: counted as if nothing of the week were compacted.
    kept_seconds[WORKER_TOPICS] = week
    total = 0.0
    for topic, seconds in kept_seconds.items():
        total += topic_bytes.get(topic, 0) / pages * pages_per_second * seconds
    slack = len(RETENTION_DAYS) * PARTITIONS * int(ONE_BOX["log.segment.bytes"])
    return round((total + slack) / 1e6)


# ------------------------------------------------------------------------------------------ the topics


# A record as read: (cluster id, topic, partition, offset) → its identity in the records it carries. The
# cluster id tells tansu's lives apart (offsets start again at 0 in each); on Kafka a record read twice is
# one record.
Reads = dict[tuple[str, str, int, int], str]


def read_topic(bootstrap: str, topic: str, identity: Callable[[bytes], str]) -> Reads:
    """Every record on `topic` now, keyed by where it is, valued by `identity` of its value."""
    cluster = cluster_id(bootstrap) or "unknown"
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, check_crcs=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        found: Reads = {}
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < ends[tp] for tp in partitions) and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    found[(cluster, topic, tp.partition, record.offset)] = identity(record.value)
        return found
    finally:
        consumer.close()


@dataclass
class Outputs:
    """What reached the topics, over the broker's lives (tansu forgets at every restart)."""

    articles: Reads = field(default_factory=dict)  # → page URL
    dead_letters: Reads = field(default_factory=dict)  # → the key (page or feed URL)
    alerts: Reads = field(default_factory=dict)  # → alert_id

    def read(self, bootstrap: str, topics: Topics) -> None:
        self.articles |= read_topic(bootstrap, topics.name(ARTICLES), lambda v: Article.from_bytes(v).url)
        self.dead_letters |= read_topic(
            bootstrap, topics.name(DEAD_LETTER), lambda v: DeadLetter.from_bytes(v).key or ""
        )
        for name in topics.alert_names():
            self.alerts |= read_topic(bootstrap, name, lambda v: Alert.from_bytes(v).alert_id)

    def read_retrying(self, bootstrap: str, topics: Topics) -> None:
        for _ in range(5):
            try:
                self.read(bootstrap, topics)
                return
            except (KafkaError, OSError, AssertionError):
                time.sleep(2)


def _end_offsets(bootstrap: str, names: list[str]) -> int | None:
    """The sum of the end offsets of topics `names`, None when the broker does not answer."""
    try:
        consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    except (KafkaError, OSError):
        return None
    try:
        partitions = [
            TopicPartition(name, p)
            for name in names
            for p in sorted(consumer.partitions_for_topic(name) or ())
        ]
        return sum(consumer.end_offsets(partitions).values())
    except (KafkaError, OSError):
        return None
    finally:
        consumer.close()


# ------------------------------------------------------------------------------------------ one run


def _wait_ready(service: Service, deadline: float) -> str:
    while time.monotonic() < deadline:
        assert service.process is not None and service.process.poll() is None, "newsmon run exited"
        bootstrap = service.bootstrap_servers()
        if bootstrap:
            return bootstrap
        time.sleep(0.5)
    raise TimeoutError(f"newsmon run not up in {READY_TIMEOUT:.0f} s; see {service.log}")


def soak(
    kind: str,
    rate: float,
    minutes: float,
    kills: int,
    disruption: str,
    work: Path,
    feed_window: int,
    window_days: float | None = None,
) -> dict[str, Any]:
    seconds = minutes * 60
    spec = LoadSpec(pages=int(rate * seconds), feeds=10, rate=rate, feed_window=feed_window)
    state_dir = work / kind / "state"
    state_dir.mkdir(parents=True)
    with LoadServer(spec) as server:
        base = Settings(
            kafka=KafkaSettings(embedded=kind, partitions=PARTITIONS),
            metrics=MetricsSettings(port=0),
        )
        settings = loadgen_settings(base, server, state_dir, poll_seconds=2.0)
        settings = settings.model_copy(update={"worker": settings.worker.model_copy(update={"processes": 1})})
        if window_days is not None:
            # A short window, swept every 30 s: the worker's tables level off within the run.
            dedup = settings.dedup.model_copy(
                update={"window_days": window_days, "sweep_interval_seconds": 30.0}
            )
            settings = settings.model_copy(update={"dedup": dedup})
        config = work / kind / "settings.json"
        config.write_text(settings.model_dump_json(), encoding="utf-8")
        topics = Topics(settings.kafka.topic_prefix)
        service = Service(config, work / kind / "run.log")
        outputs = Outputs()
        events: list[str] = []
        service.start()
        try:
            bootstrap = _wait_ready(service, time.monotonic() + READY_TIMEOUT)
            while not server.started_at:
                time.sleep(0.5)
            began = server.started_at
            # Start figures once the first article is through: imports done, pool started.
            while not outputs.articles:
                outputs.read_retrying(bootstrap, topics)
                assert time.time() - began < READY_TIMEOUT, f"no article; see {service.log}"
                time.sleep(2)
            rss_start, disk_start = service.rss_mb(), _disk_mb(state_dir)
            trend = TrendSampler(service, state_dir, began)
            trend.start()
            for number in range(1, kills + 1):
                time.sleep(max(0.0, began + seconds * number / (kills + 1) - time.time()))
                outputs.read_retrying(bootstrap, topics)
                if disruption == "broker":
                    service.kill_broker()
                else:
                    service.kill_all()
                    service.start()
                events.append(f"{disruption} kill at {time.time() - began:.0f} s")
                bootstrap = _wait_ready(service, time.monotonic() + READY_TIMEOUT)
            time.sleep(max(0.0, began + seconds - time.time()))
            # Drain: until nothing new arrives for DRAIN_QUIET seconds.
            last, quiet_since, deadline = None, time.monotonic(), time.monotonic() + DRAIN_TIMEOUT
            while time.monotonic() - quiet_since < DRAIN_QUIET and time.monotonic() < deadline:
                bootstrap = service.bootstrap_servers() or bootstrap
                signature = _end_offsets(bootstrap, [topics.name(ARTICLES), *topics.alert_names()])
                if signature != last:
                    last, quiet_since = signature, time.monotonic()
                time.sleep(3)
            outputs.read_retrying(bootstrap, topics)
            trend.stop()
            rss_end, disk_end, tables_end = service.rss_mb(), _disk_mb(state_dir), _tables_mb(state_dir)
            topic_bytes = _topic_bytes(state_dir, settings.kafka.topic_prefix, settings.worker.app_id)
            log_text = Path(service.log).read_text(errors="replace")
            # A child that ended, and a child killed by `newsmon run` for its silence (newsmon.liveness).
            silent = log_text.count("has stopped working (no heartbeat)")
            restarts = log_text.count("child process exited") + silent
            rebuilt = log_text.count("is a new cluster")
        finally:
            service.stop()
    released = [f"{server.base_url}/f{i % spec.feeds}/a/{i}.html" for i in range(spec.pages)]
    article_records = Counter(outputs.articles.values())
    alert_records = Counter(outputs.alerts.values())
    dead_letter_keys = set(outputs.dead_letters.values())
    reached = set(article_records) | dead_letter_keys
    lost = [url for url in released if url not in reached]
    return {
        "broker": kind,
        "disruption": disruption,
        "rate": rate,
        "minutes": minutes,
        "feed_window": feed_window,
        "window_days": settings.dedup.window_days,
        "pages_in": len(released),
        "articles": len(article_records),
        "dead_letters": len(dead_letter_keys),
        "lost": len(lost),
        "lost_urls": lost,
        "dup_articles": sum(article_records.values()) - len(article_records),
        "alerts": len(alert_records),
        "dup_alerts": sum(alert_records.values()) - len(alert_records),
        "child_restarts": restarts,
        "silent_child_restarts": silent,
        "new_cluster_lines": rebuilt,
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "disk_start_mb": disk_start,
        "disk_end_mb": disk_end,
        "tables_end_mb": tables_end,
        "events": events,
        "rss_mb_per_hour": rss_slopes(trend.samples),
        "trend": trend.samples,
        "topic_bytes_per_page": {
            topic: round(size / spec.pages) for topic, size in sorted(topic_bytes.items())
        },
        "week_disk_bound_mb_at_1_page_s": week_disk_bound_mb(topic_bytes, spec.pages)
        if topic_bytes
        else None,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    for r in results:
        if r["week_disk_bound_mb_at_1_page_s"] is not None:
            print(f"\n{r['broker']}: bytes per page on disk by topic {r['topic_bytes_per_page']}")
            print(f"{r['broker']}: a week at 1 page/s needs at most {r['week_disk_bound_mb_at_1_page_s']} MB")
    print(
        f"\n{'broker':7} {'kills':12} {'pages in':>8} {'articles':>8} {'dead':>5} {'lost':>5} {'dup art':>7} "
        f"{'alerts':>6} {'dup al':>6} {'restarts':>8}"
    )
    for r in results:
        kills = f"{len(r['events'])}× {r['disruption']}"
        print(
            f"{r['broker']:7} {kills:12} {r['pages_in']:>8} {r['articles']:>8} {r['dead_letters']:>5} "
            f"{r['lost']:>5} {r['dup_articles']:>7} {r['alerts']:>6} {r['dup_alerts']:>6} "
            f"{r['child_restarts']:>8}"
        )
    print(
        f"\n{'broker':7} {'process / part':16} {'RSS start MB':>12} {'RSS end MB':>10} {'MB/h, its life':>14}"
    )
    for r in results:
        for role in sorted(set(r["rss_start_mb"]) | set(r["rss_end_mb"])):
            slope = r["rss_mb_per_hour"].get(role)
            print(
                f"{r['broker']:7} {role:16} {r['rss_start_mb'].get(role, 0):>12} "
                f"{r['rss_end_mb'].get(role, 0):>10} {'' if slope is None else slope:>14}"
            )
        for part in sorted(set(r["disk_start_mb"]) | set(r["disk_end_mb"])):
            print(
                f"{r['broker']:7} {'disk ' + part:16} {r['disk_start_mb'].get(part, 0):>12} "
                f"{r['disk_end_mb'].get(part, 0):>10}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=2.0, help="pages/s")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--brokers", default="tansu,kafka")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--disruption", choices=("broker", "reboot"), default="broker")
    parser.add_argument(
        "--feed-window",
        type=int,
        default=50,
        help="items each of the 10 feeds lists (a lost broker's items older than that are no longer listed)",
    )
    parser.add_argument(
        "--window-days",
        type=float,
        help="dedup window (default: the settings'); a few minutes' worth shows the worker's tables expire",
    )
    parser.add_argument("--keep", type=Path, help="work in this new directory and keep it (logs, state)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="newsmon-soak-") as scratch:
        work = args.keep or Path(scratch)
        for kind in args.brokers.split(","):
            result = soak(
                kind,
                args.rate,
                args.minutes,
                args.kills,
                args.disruption,
                work,
                args.feed_window,
                args.window_days,
            )
            results.append(result)
            print(json.dumps(result), flush=True)
    print_table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
