"""End-to-end pipeline benchmark (issue #8): throughput, scale-out, latency and memory of the real pipeline.

    .venv/bin/python bench/bench_pipeline.py            # everything below, about 25 minutes on 2 cores

Every run serves the synthetic site of bench/loadgen.py on loopback and reads it with the real connector into
a fresh embedded broker (tansu, `newsmon.processes.kafka_for`); workers are real `newsmon worker` processes
(`newsmon.processes.spawn`). Results are printed as tables and written to bench/results/pipeline.json.

1. **Reference**: the same pages in this one process — trafilatura alone (the clean stage's options),
   `clean_page`, and the whole per-page chain (clean_page → dedup fingerprint → article_events).
2. **Throughput** (`--pages` pages, as fast as possible). The connector publishes every page to `raw-pages`
   first (prefill: on a 2-core machine a concurrent connector and site would take CPU from the workers and we
   would be measuring the harness), then the workers start and drain it. A "worker" is one `newsmon worker`
   process: a Faust event loop (decode, dedup tables, alert tables, Kafka I/O) plus its process pool of
   `worker.processes` processes for the CPU-bound work (clean, fingerprint, extract). Configurations: the
   default 1 worker × 2 pool processes (`--layouts`), and the scale-out pair (`--pinned-layouts`) 1 worker ×
   1 pool process on one core and 2 workers × 1 pool process each on a core of their own — so the pair
   measures what adding a worker (with its core) adds, not how one worker spreads over a machine it fills.
   Rates come from Kafka record timestamps: `pages/s` = pages over the time from
   the first `articles` record to the last verdict, event or new alert (alert updates are held for
   `alerts.debounce_seconds` on purpose and left out); `steady` = the rate between the 10th and 90th
   percentile `articles.deduped` record (no start-up, rebalance or tail). `pages/CPU-s` = pages per CPU-second
   used by worker + pool + broker processes, i.e. pages/s per fully used core.
   Per-stage time is scraped from each worker's /metrics (`newsmon_stage_processing_seconds`: wall time a
   record spent in the stage, including waiting for a pool process); CPU per page per process kind comes from
   /proc.
3. **Live** (`--live RATE:SECONDS,...`, default 20 pages/s for 60 s and 5 pages/s for 600 s, 1 worker ×
   2 pool): the connector runs as its own
   process polling every feed each second, as in production. Latency from `RawPage.fetched_at` to the `events`
   record and to the alert (`Alert.emitted_at`, and the alert record's publish time); RSS of every process at
   the start and end of the run (memory flat?).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from trafilatura import bare_extraction

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Corpus, LoadServer, LoadSpec, loadgen_settings  # noqa: E402 - sibling script
from newsmon.streams.clean.logic import clean_page  # noqa: E402
from newsmon.streams.dedup.logic import JoinMessage, Probe, fingerprint  # noqa: E402
from newsmon.streams.extract.events import article_events  # noqa: E402

from newsmon.broker import free_port  # noqa: E402
from newsmon.lag import LagReader  # noqa: E402
from newsmon.records import Alert, Article, DedupVerdict, Event, RawPage  # noqa: E402
from newsmon.settings import Settings  # noqa: E402
from newsmon.shell.connect import run_connector  # noqa: E402
from newsmon.shell.processes import kafka_for, spawn, stop_all, write_effective_settings  # noqa: E402
from newsmon.topics import (  # noqa: E402
    ARTICLES,
    ARTICLES_BY_TEXT,
    ARTICLES_DEDUPED,
    DEAD_LETTER,
    DEDUP_BANDS,
    DEDUP_CANDIDATES,
    EVENTS,
    Topics,
)

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DRAIN_TIMEOUT = 900.0


# ---------------------------------------------------------------------------------------------------- /proc


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, RSS bytes) of a live process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # fields[0] is the state (field 3 of proc(5)); ppid = 4, utime = 14, stime = 15, rss = 24.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, int(fields[21]) * PAGE_SIZE


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            tree[stat[0]].append(int(entry))
    return tree


def broker_pid() -> int | None:
    """The embedded tansu broker started by this process (EmbeddedBroker keeps its Popen private)."""
    return next((pid for pid in _children().get(os.getpid(), []) if "--listener-url" in _cmdline(pid)), None)


@dataclass
class ProcessSample:
    role: str
    first_cpu: float
    cpu: float
    first_rss: int
    rss: int
    peak_rss: int


class ProcessSampler(threading.Thread):
    """Samples CPU and RSS of named root processes and their children every `interval` seconds. A worker's
    children are its spawned pool processes and multiprocessing's resource tracker (a helper)."""

    def __init__(self, roots: dict[str, int], interval: float = 0.5) -> None:
        super().__init__(name="sampler", daemon=True)
        self.roots = dict(roots)
        self.interval = interval
        self.samples: dict[int, ProcessSample] = {}
        self.timeline: list[tuple[float, dict[str, int]]] = []
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def add(self, role: str, pid: int) -> None:
        with self._lock:
            self.roots[role] = pid

    def _roles(self) -> dict[int, str]:
        tree = _children()
        roles: dict[int, str] = {}
        with self._lock:
            roots = dict(self.roots)
        for role, pid in roots.items():
            roles[pid] = role
            pool = [child for child in sorted(tree.get(pid, [])) if "resource_tracker" not in _cmdline(child)]
            for child in tree.get(pid, []):
                roles[child] = f"{role} helper"
            for number, child in enumerate(pool, start=1):
                roles[child] = f"{role} pool{number}"
        return roles

    def sample(self) -> None:
        rss_by_role: dict[str, int] = {}
        for pid, role in self._roles().items():
            if (stat := _stat(pid)) is None:
                continue
            _, cpu, rss = stat
            known = self.samples.get(pid)
            if known is None:
                self.samples[pid] = ProcessSample(role, cpu, cpu, rss, rss, rss)
            else:
                known.cpu, known.rss, known.peak_rss = cpu, rss, max(known.peak_rss, rss)
            rss_by_role[role] = rss
        self.timeline.append((time.time(), rss_by_role))

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.sample()  # the last CPU figures, while the processes are still alive
        self._halt.set()
        self.join()

    def by_kind(self) -> dict[str, dict[str, float]]:
        """Per process kind (worker, pool, helper, broker, connector): CPU seconds used while sampled (sum
        over processes) and the largest peak RSS of one process, in MB."""
        kinds: dict[str, dict[str, float]] = defaultdict(
            lambda: {"cpu_s": 0.0, "peak_rss_mb": 0.0, "count": 0}
        )
        for sample in self.samples.values():
            kind = sample.role.split()[-1].rstrip("0123456789")
            if kind.startswith("worker"):
                kind = "worker"
            entry = kinds[kind]
            entry["cpu_s"] += sample.cpu - sample.first_cpu
            entry["peak_rss_mb"] = max(entry["peak_rss_mb"], sample.peak_rss / 1e6)
            entry["count"] += 1
        return dict(kinds)


# ---------------------------------------------------------------------------------------------------- Kafka


@dataclass
class TopicRecord:
    timestamp: float  # seconds: producer CreateTime, i.e. when the record was published
    value: bytes
    key: bytes | None = None


def read_topic(bootstrap: str, topic: str) -> list[TopicRecord]:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        consumer_timeout_ms=2000,
        enable_auto_commit=False,
        fetch_max_bytes=50_000_000,
        max_partition_fetch_bytes=10_000_000,
    )
    consumer.assign([TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())])
    consumer.seek_to_beginning()
    records = [TopicRecord(record.timestamp / 1000, record.value, record.key) for record in consumer]
    consumer.close()
    return records


def wait_until_drained(
    settings: Settings, workers: list, quiet_checks: int = 2, timeout: float = DRAIN_TIMEOUT
) -> float:
    """Poll until the worker group has committed every record on the topics it consumes; return when."""
    lag = LagReader(settings.kafka.bootstrap_servers)
    deadline = time.monotonic() + timeout
    quiet = 0
    try:
        while quiet < quiet_checks:
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("a worker exited:\n" + _log_tails(settings.state_dir))
            if time.monotonic() > deadline:
                raise TimeoutError(f"not drained: {lag.worker_backlog(settings)} records left")
            quiet = quiet + 1 if lag.worker_backlog(settings) == 0 else 0
            time.sleep(0.3)
    finally:
        lag.close()
    return time.time()


def wait_until_worker_up(port: int, grace: float, timeout: float = 60.0) -> None:
    """Until the worker's /metrics answers (imports done, app built), then `grace` seconds for joining the
    group and recovering its (empty) tables. tansu's group APIs cannot be read with kafka-python here
    (DescribeGroups fails to decode, ListGroups answers empty), so the group's state cannot be asked
    directly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    time.sleep(grace)


def scrape_stage_seconds(port: int) -> dict[str, dict[str, float]]:
    """Sum and count of `newsmon_stage_processing_seconds` per stage from one worker's /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    stages: dict[str, dict[str, float]] = defaultdict(lambda: {"sum": 0.0, "count": 0.0})
    for family in text_string_to_metric_families(text):
        if family.name != "newsmon_stage_processing_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_sum"):
                stages[sample.labels["stage"]]["sum"] += sample.value
            elif sample.name.endswith("_count"):
                stages[sample.labels["stage"]]["count"] += sample.value
    return stages


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


# ---------------------------------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class WorkerLayout:
    workers: int
    processes: int

    @property
    def name(self) -> str:
        return f"{self.workers} worker{'s' if self.workers > 1 else ''} x {self.processes} pool"


@dataclass
class RunContext:
    base: Settings
    fast: bool
    # Worker N and its pool on CPU N-1 (mod the CPUs): each worker brings one core, so "2 workers ÷ 1 worker"
    # measures what adding a worker adds, not how one worker spreads over a machine it already fills.
    pin: bool = False
    profile_dir: Path | None = None  # py-spy profiles of the worker processes (and their pools) go here
    profilers: list[Any] = field(default_factory=list)


def _settings_for(context: RunContext, server: LoadServer, state_dir: Path, processes: int) -> Settings:
    settings = loadgen_settings(context.base, server, state_dir)
    return settings.model_copy(
        update={
            "worker": settings.worker.model_copy(update={"processes": processes}),
            "clean": settings.clean.model_copy(update={"fast": context.fast}),
            "log_level": "WARNING",
        }
    )


def _outputs(settings: Settings) -> dict[str, list[TopicRecord]]:
    topics = Topics(settings.kafka.topic_prefix)
    bootstrap = settings.kafka.bootstrap_servers
    names = {
        "articles": ARTICLES,
        "by_text": ARTICLES_BY_TEXT,
        "bands": DEDUP_BANDS,
        "candidates": DEDUP_CANDIDATES,
        "deduped": ARTICLES_DEDUPED,
        "events": EVENTS,
        "dead": DEAD_LETTER,
    }
    outputs = {key: read_topic(bootstrap, topics.name(name)) for key, name in names.items()}
    outputs["alerts"] = [record for name in topics.alert_names() for record in read_topic(bootstrap, name)]
    return outputs


def topic_records(settings: Settings) -> dict[str, int]:
    """Records and bytes in every topic of this run (the pipeline's and Faust's changelogs), per page
    later."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    try:
        names = [
            name
            for name in consumer.topics()
            if name.startswith((settings.kafka.topic_prefix, settings.worker.app_id))
        ]
        partitions = [
            TopicPartition(name, p) for name in names for p in consumer.partitions_for_topic(name) or ()
        ]
        counts: dict[str, int] = defaultdict(int)
        for tp, end in consumer.end_offsets(partitions).items():
            counts[
                tp.topic.removeprefix(settings.kafka.topic_prefix).removeprefix(settings.worker.app_id)
            ] += end
        return dict(sorted(counts.items()))
    finally:
        consumer.close()


def _start_workers(
    context: RunContext, settings: Settings, count: int, sampler: ProcessSampler, tag: str
) -> tuple[list, list[int]]:
    """`count` worker processes, each with its own state directory (RocksDB tables are locked by their
    owner)."""
    workers, ports = [], []
    for number in range(1, count + 1):
        own = settings.model_copy(update={"state_dir": settings.state_dir / f"worker{number}"})
        port = free_port()
        worker = spawn(
            ["worker"],
            write_effective_settings(own),
            settings.kafka.bootstrap_servers,
            port,
            log_file=settings.state_dir / f"worker{number}.log",
        )
        if context.pin:  # before the worker starts its pool, which inherits the affinity
            os.sched_setaffinity(worker.pid, {(number - 1) % (os.cpu_count() or 1)})
        sampler.add(f"worker{number}", worker.pid)
        if context.profile_dir is not None:
            context.profilers.append(_profile(worker.pid, context.profile_dir / f"{tag}-worker{number}.txt"))
        workers.append(worker)
        ports.append(port)
    return workers, ports


def _log_tails(state_dir: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:]
        for log in sorted(state_dir.glob("*.log"))
        if log.name != "tansu.log"
    )


def _profile(pid: int, output: Path) -> subprocess.Popen[bytes]:
    """py-spy (on PATH or beside this Python) sampling a worker and its pool processes until the worker
    exits; collapsed stacks."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",
            "--gil",
            "--format",
            "raw",
            "--rate",
            "50",
            "-o",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Frames of the event loop's start-up, rebalances and shutdown (imports, table recovery, store opening):
# left out of the summary, which is about the per-page cost.
_NOT_PER_PAGE = (
    "importlib",
    "on_rebalance",
    "on_partitions_assigned",
    "Store.stop",
    "revoke",
    "RocksDBOptions",
)


def event_loop_profile(path: Path, top: int = 15) -> dict[str, Any]:
    """The top self-time frames of a worker's own process (its event loop and its threads, not its pool
    processes) in a py-spy raw profile, as shares of the GIL-holding samples; start-up, rebalances and
    shutdown left out. Also the shares of a few inclusive frames that say which stage the time is for."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # py-spy nests a child process's stacks under its parent's "process PID:..." frame.
        if not stack or len(frames) < 2 or frames[1].startswith("process ") or "spawn_main" in frames[1]:
            continue
        if any(marker in stack for marker in _NOT_PER_PAGE):
            continue
        names = [
            frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] + ")" for frame in frames[1:]
        ]
        total += int(count)
        own[names[-1]] += int(count)
        for name in set(names):
            inclusive[name] += int(count)
    share = {name: round(100 * n / total, 1) for name, n in own.most_common(top)} if total else {}
    stages = {
        name: round(100 * n / total, 1)
        for name, n in inclusive.most_common()
        if total and name.split(" (")[0].endswith((".process", ".by_url", ".by_text", ".index", ".join"))
    }
    return {"samples": total, "self_percent": share, "stage_percent": stages}


def print_profile(name: str, summary: dict[str, Any]) -> None:
    print(f"\nEvent loop of {name}: {summary['samples']} GIL-holding samples; top self time, %")
    for frame, percent in summary["self_percent"].items():
        print(f"{percent:>6.1f}  {frame}")
    print(
        "  by agent (inclusive): "
        + ", ".join(f"{f.split(' (')[0]} {p}" for f, p in summary["stage_percent"].items())
    )


def _stop_profilers(context: RunContext) -> None:
    for profiler in context.profilers:
        try:
            profiler.wait(timeout=30)  # py-spy writes its file once the sampled process has exited
        except subprocess.TimeoutExpired:
            profiler.terminate()
    context.profilers.clear()


def throughput_run(context: RunContext, layout: WorkerLayout, spec: LoadSpec) -> dict[str, Any]:
    """Prefill `spec.pages` pages through the connector, then time `layout` draining them."""
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as state, LoadServer(spec) as server:
        settings = _settings_for(context, server, Path(state), layout.processes)
        with kafka_for(settings) as bootstrap:
            settings = settings.model_copy(
                update={"kafka": settings.kafka.model_copy(update={"bootstrap_servers": bootstrap})}
            )
            started = time.perf_counter()
            summary = asyncio.run(run_connector(settings, bootstrap))
            prefill_seconds = time.perf_counter() - started
            assert summary is not None
            sampler = ProcessSampler({"broker": broker_pid() or 0})
            sampler.sample()
            sampler.start()
            tag = layout.name.replace(" ", "") + ("-pinned" if context.pin else "")
            workers, ports = _start_workers(context, settings, layout.workers, sampler, tag)
            try:
                drained_at = wait_until_drained(settings, workers)
                stages = [scrape_stage_seconds(port) for port in ports]
            finally:
                sampler.stop()
                stop_all(workers)
                _stop_profilers(context)
            outputs = _outputs(settings)
            records = topic_records(settings)
    profiles = (
        {
            path.stem: event_loop_profile(path)
            for path in sorted(context.profile_dir.glob(f"{tag}-worker*.txt"))
        }
        if context.profile_dir is not None
        else {}
    )
    pages = len(outputs["articles"])
    first = min(record.timestamp for record in outputs["articles"])
    # The last page's outcome: its verdict, its events, a new alert. Updates are left out: they are held for
    # alerts.debounce_seconds on purpose, which would add that much to every run.
    new_alerts = [record for record in outputs["alerts"] if Alert.from_bytes(record.value).kind == "new"]
    last = max(record.timestamp for record in outputs["deduped"] + outputs["events"] + new_alerts)
    deduped = sorted(record.timestamp for record in outputs["deduped"])
    low, high = int(0.1 * (len(deduped) - 1)), int(0.9 * (len(deduped) - 1))
    steady = (high - low) / (deduped[high] - deduped[low]) if deduped[high] > deduped[low] else None
    kinds = sampler.by_kind()
    pipeline_cpu = sum(
        kinds.get(kind, {}).get("cpu_s", 0.0) for kind in ("worker", "pool", "broker", "helper")
    )
    stage_totals: dict[str, dict[str, float]] = defaultdict(lambda: {"sum": 0.0, "count": 0.0})
    for per_worker in stages:
        for stage, values in per_worker.items():
            stage_totals[stage]["sum"] += values["sum"]
            stage_totals[stage]["count"] += values["count"]
    return {
        "layout": layout.name,
        "workers": layout.workers,
        "processes": layout.processes,
        "fast": context.fast,
        "pages_published": summary.pages_published,
        "connector_errors": dict(summary.errors),
        "prefill_seconds": round(prefill_seconds, 2),
        "pages": pages,
        # Articles that left dedup: fewer than `pages` means some were still undecided when the group's lag
        # was 0.
        "deduped_articles": len({Article.from_bytes(r.value).article_id for r in outputs["deduped"]}),
        "duplicates": sum(1 for r in outputs["deduped"] if Article.from_bytes(r.value).dedup.duplicate_of),
        "events": len(outputs["events"]),
        "alerts": len(outputs["alerts"]),
        "dead_letters": len(outputs["dead"]),
        "seconds": round(last - first, 2),
        "pages_per_s": round(pages / (last - first), 1),
        "steady_pages_per_s": round(steady, 1) if steady else None,
        "drain_detected_after_s": round(drained_at - first, 2),
        "pages_per_cpu_s": round(pages / pipeline_cpu, 1) if pipeline_cpu else None,
        "cpu_ms_per_page": {kind: round(1000 * v["cpu_s"] / pages, 1) for kind, v in kinds.items()},
        "peak_rss_mb": {kind: round(v["peak_rss_mb"], 0) for kind, v in kinds.items()},
        "stage_ms_per_record": {
            stage: round(1000 * v["sum"] / v["count"], 2)
            for stage, v in sorted(stage_totals.items())
            if v["count"]
        },
        "records_per_page": {topic: round(count / pages, 1) for topic, count in records.items()},
        "stage_ms_per_page": {
            stage: round(1000 * v["sum"] / pages, 2)
            for stage, v in sorted(stage_totals.items())
            if v["count"]
        },
        "event_loop_profile": profiles,
    }


def live_run(
    context: RunContext, processes: int, rate: float, seconds: float, feeds: int, drain_seconds: float
) -> dict[str, Any]:
    """The connector polling at a fixed page rate for `seconds`, one worker; latency and memory. A worker that
    cannot keep up is given `drain_seconds` to catch up; what is still queued then is reported as backlog."""
    spec = LoadSpec(pages=int(rate * seconds), feeds=feeds, rate=rate)
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as state, LoadServer(spec) as server:
        settings = _settings_for(context, server, Path(state), processes)
        with kafka_for(settings) as bootstrap:
            settings = settings.model_copy(
                update={"kafka": settings.kafka.model_copy(update={"bootstrap_servers": bootstrap})}
            )
            sampler = ProcessSampler({"broker": broker_pid() or 0}, interval=1.0)
            sampler.start()
            workers, ports = _start_workers(context, settings, 1, sampler, "live")
            connector = None
            try:
                wait_until_worker_up(ports[0], grace=10.0)
                # The load starts with the connector's first feed poll (LoadServer releases pages from then
                # on).
                connector = spawn(
                    ["connect"],
                    write_effective_settings(settings),
                    bootstrap,
                    free_port(),
                    log_file=Path(state) / "connector.log",
                )
                sampler.add("connector", connector.pid)
                deadline = time.monotonic() + seconds + 5
                while time.monotonic() < deadline:
                    if any(process.poll() is not None for process in [*workers, connector]):
                        raise RuntimeError("a process exited:\n" + _log_tails(settings.state_dir))
                    time.sleep(1.0)
                started_at = server.started_at
                try:
                    wait_until_drained(settings, workers, timeout=drain_seconds)
                    backlog = 0
                except TimeoutError:
                    lag = LagReader(bootstrap)
                    backlog = lag.worker_backlog(settings)
                    lag.close()
            finally:
                sampler.stop()
                stop_all([process for process in [connector, *workers] if process is not None])
                _stop_profilers(context)
            outputs = _outputs(settings)
    events = [(record.timestamp, Event.from_bytes(record.value)) for record in outputs["events"]]
    alerts: dict[str, tuple[float, Alert]] = {}
    for record in outputs["alerts"]:  # at-least-once: each alert_id once (the first published)
        alert = Alert.from_bytes(record.value)
        if alert.alert_id not in alerts or record.timestamp < alerts[alert.alert_id][0]:
            alerts[alert.alert_id] = (record.timestamp, alert)
    articles = [(record.timestamp, Article.from_bytes(record.value)) for record in outputs["articles"]]
    deduped_at: dict[str, float] = {}
    for record in outputs["deduped"]:
        article_id = Article.from_bytes(record.value).article_id
        deduped_at[article_id] = min(record.timestamp, deduped_at.get(article_id, record.timestamp))

    def since_fetch(moment: float | datetime, fetched: datetime) -> float:
        seconds_ = moment.timestamp() if isinstance(moment, datetime) else moment
        return seconds_ - fetched.timestamp()

    new_alerts = [(ts, alert) for ts, alert in alerts.values() if alert.kind == "new"]
    fetched = [article.fetched_at.timestamp() for _, article in articles]
    window = max(fetched) - min(fetched) if fetched else 0
    return {
        "rate_target": rate,
        "seconds": seconds,
        "processes": processes,
        "fast": context.fast,
        "release_started_at": started_at,
        "pages": len(articles),
        "backlog_at_end": backlog,
        "fetch_rate_pages_per_s": round(len(articles) / window, 1) if window else None,
        "events": len(events),
        "alerts": len(alerts),
        "new_alerts": len(new_alerts),
        "dead_letters": len(outputs["dead"]),
        "latency_s": {
            "fetch_to_article": percentiles([since_fetch(ts, a.fetched_at) for ts, a in articles]),
            "fetch_to_event": percentiles([since_fetch(ts, e.article.fetched_at) for ts, e in events]),
            # Where the time goes: the dedup hops (articles → articles.deduped) and extract (→ events).
            "article_to_deduped": percentiles(
                [deduped_at[a.article_id] - ts for ts, a in articles if a.article_id in deduped_at]
            ),
            "deduped_to_event": percentiles(
                [
                    ts - deduped_at[e.article.article_id]
                    for ts, e in events
                    if e.article.article_id in deduped_at
                ]
            ),
            "fetch_to_alert_emitted": percentiles(
                [since_fetch(a.emitted_at, a.event.article.fetched_at) for _, a in new_alerts]
            ),
            "fetch_to_alert_published": percentiles(
                [since_fetch(ts, a.event.article.fetched_at) for ts, a in new_alerts]
            ),
            "fetch_to_update_alert_published": percentiles(
                [
                    since_fetch(ts, a.event.article.fetched_at)
                    for ts, a in alerts.values()
                    if a.kind == "update"
                ]
            ),
            **dedup_hop_latency(outputs, articles, deduped_at),
        },
        "rss_mb": _rss_start_end(sampler, warmup=min(30.0, seconds / 4)),
        "cpu_ms_per_page": {
            kind: round(1000 * v["cpu_s"] / max(1, len(articles)), 1) for kind, v in sampler.by_kind().items()
        },
    }


def dedup_hop_latency(
    outputs: dict[str, list[TopicRecord]], articles: list[tuple[float, Article]], deduped_at: dict[str, float]
) -> dict[str, dict[str, float | int | None]]:
    """Where an article's time between `articles` and `articles.deduped` goes, hop by hop, for the articles
    that were probed in the index (publish times of each hop's output): by URL (→ `articles.by-text`), by
    text with its fingerprint in the pool (→ the last of its `dedup.bands` probes), the index partitions (→
    the last of their `dedup.candidates` replies) and the join's decision (→ `articles.deduped`, asks and
    answers of look-alikes included)."""
    by_text = {Article.from_bytes(r.value).article_id: r.timestamp for r in outputs["by_text"]}
    probed: dict[str, float] = {}
    for record in outputs["bands"]:
        article_id = Probe.from_bytes(record.value).article_id
        probed[article_id] = max(record.timestamp, probed.get(article_id, 0.0))
    replied: dict[str, float] = {}
    for record in outputs["candidates"]:
        if record.key is not None and JoinMessage.from_bytes(record.value).kind == "candidates":
            article_id = record.key.decode("utf-8")
            replied[article_id] = max(record.timestamp, replied.get(article_id, 0.0))
    hops: dict[str, list[float]] = defaultdict(list)
    for published, article in articles:
        article_id = article.article_id
        if not all(article_id in times for times in (by_text, probed, replied, deduped_at)):
            continue
        hops["by_url"].append(by_text[article_id] - published)
        hops["by_text_and_fingerprint"].append(probed[article_id] - by_text[article_id])
        hops["index_replies"].append(replied[article_id] - probed[article_id])
        hops["join_decision"].append(deduped_at[article_id] - replied[article_id])
    return {f"dedup_hop_{name}": percentiles(values) for name, values in hops.items()}


def _rss_start_end(sampler: ProcessSampler, warmup: float) -> dict[str, dict[str, float]]:
    """RSS per process role after `warmup` seconds (imports done, caches warm) and at the end, with the
    peak."""
    if not sampler.timeline:
        return {}
    begin = sampler.timeline[0][0] + warmup
    # A role's start is its first sample after the warm-up (pool processes start with the first record).
    start: dict[str, int] = {}
    peaks: dict[str, int] = {}
    for moment, rss in sampler.timeline:
        for role, value in rss.items():
            peaks[role] = max(peaks.get(role, 0), value)
            if moment >= begin:
                start.setdefault(role, value)
    # The last sample is taken after the drain while every process still runs.
    end = sampler.timeline[-1][1]
    return {
        role: {
            "start": round(start.get(role, 0) / 1e6, 1),
            "end": round(end.get(role, 0) / 1e6, 1),
            "peak": round(peaks[role] / 1e6, 1),
        }
        for role in sorted(peaks)
    }


def reference(spec: LoadSpec, count: int, fast: bool) -> dict[str, Any]:
    """ms/page of trafilatura alone, clean_page, and the whole pure per-page chain, in this one process."""
    settings = Settings()
    clean = settings.clean.model_copy(update={"fast": fast})
    corpus = Corpus(spec)
    pages = [corpus.raw_page(index) for index in range(count)]

    def timed(step) -> float:  # noqa: ANN001 - a per-page function
        started = time.process_time()
        for page in pages:
            step(page)
        return 1000 * (time.process_time() - started) / len(pages)

    def chain(page: RawPage) -> None:
        article = clean_page(page, clean)
        fingerprint(article, settings.dedup)
        article_events(article.model_copy(update={"dedup": DedupVerdict(story_id=article.article_id)}))

    # Rule files, the language model and trafilatura's lazily imported fallbacks load outside the timing.
    for page in pages[:3]:
        chain(page)

    results = {
        "trafilatura_alone": timed(
            lambda page: bare_extraction(
                page.html,
                url=page.final_url,
                fast=fast,
                include_comments=False,
                with_metadata=True,
                date_extraction_params={"original_date": True, "extensive_search": False},
            )
        ),
        "clean_page": timed(lambda page: clean_page(page, clean)),
        "clean+fingerprint+extract": timed(chain),
    }
    return {
        "pages": count,
        "fast": fast,
        "mean_kb": round(sum(len(p.html.encode()) for p in pages) / count / 1000),
        "ms_per_page": {k: round(v, 2) for k, v in results.items()},
        "pages_per_cpu_s": {k: round(1000 / v, 1) for k, v in results.items()},
    }


# ---------------------------------------------------------------------------------------------------- report


def print_reference(result: dict[str, Any]) -> None:
    print(
        f"\nReference, one process, {result['pages']} pages of {result['mean_kb']} KB "
        f"(fast={result['fast']}), CPU time"
    )
    print(f"{'':<28}{'ms/page':>10}{'pages/s':>10}")
    for name, value in result["ms_per_page"].items():
        print(f"{name:<28}{value:>10.2f}{result['pages_per_cpu_s'][name]:>10.1f}")


def _label(result: dict[str, Any]) -> str:
    return (
        result["layout"] + (" pinned" if result.get("pinned") else "") + (" fast" if result["fast"] else "")
    )


def print_throughput(results: list[dict[str, Any]]) -> None:
    print("\nThroughput (prefilled raw-pages drained by the workers)")
    header = (
        f"{'layout':<22}{'pages':>6}{'pages/s':>9}{'steady':>8}{'pg/CPU-s':>9}{'scale':>7}"
        f"{'cpu ms/page: loop':>19}{'pool':>6}{'broker':>7}"
        f"{'peak RSS MB: worker':>21}{'pool':>6}{'broker':>7}"
    )
    print(header)
    for r in results:
        if r.get("deduped_articles", r["pages"]) < r["pages"]:
            print(
                f"  ! {r['layout']}: only {r['deduped_articles']} of {r['pages']} articles left dedup when "
                "the group's lag was 0 (undecided in the dedup join); its rates are not comparable"
            )
    base = next((r for r in results if r["workers"] == 1 and r["processes"] == 1), None)
    for r in results:
        scale = (
            r["steady_pages_per_s"] / base["steady_pages_per_s"]
            if base and r["steady_pages_per_s"] and base["steady_pages_per_s"]
            else float("nan")
        )
        cpu, rss = r["cpu_ms_per_page"], r["peak_rss_mb"]
        print(
            f"{_label(r):<22}{r['pages']:>6}{r['pages_per_s']:>9.1f}"
            f"{r['steady_pages_per_s'] or 0:>8.1f}{r['pages_per_cpu_s'] or 0:>9.1f}{scale:>6.2f}x"
            f"{cpu.get('worker', 0):>19.1f}{cpu.get('pool', 0):>6.1f}{cpu.get('broker', 0):>7.1f}"
            f"{rss.get('worker', 0):>21.0f}{rss.get('pool', 0):>6.0f}{rss.get('broker', 0):>7.0f}"
        )
    stages = sorted({stage for r in results for stage in r["stage_ms_per_record"]})
    print("\nStage wall time per record, ms (from /metrics; includes waiting for a pool process)")
    print(f"{'layout':<22}" + "".join(f"{stage:>12}" for stage in stages))
    for r in results:
        print(
            f"{_label(r):<22}"
            + "".join(f"{r['stage_ms_per_record'].get(stage, 0):>12.2f}" for stage in stages)
        )


def print_live(result: dict[str, Any]) -> None:
    print(
        f"\nLive: {result['rate_target']} pages/s for {result['seconds']:.0f} s, 1 worker x "
        f"{result['processes']} pool (cleaned {result['pages']} pages, {result['backlog_at_end']} records "
        f"still queued at the end at {result['fetch_rate_pages_per_s']} pages/s, {result['events']} events, "
        f"{result['new_alerts']} new alerts, {result['alerts'] - result['new_alerts']} updates)"
    )
    print(f"{'latency, s':<34}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for name, p in result["latency_s"].items():
        if p["n"]:
            print(f"{name:<34}{p['n']:>6}{p['p50']:>8.3f}{p['p95']:>8.3f}{p['p99']:>8.3f}{p['max']:>8.3f}")
    print(f"{'RSS, MB':<34}{'start':>8}{'end':>8}{'peak':>8}")
    for role, rss in result["rss_mb"].items():
        print(f"{role:<34}{rss['start']:>8.1f}{rss['end']:>8.1f}{rss['peak']:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600, help="pages per throughput run")
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument(
        "--layouts",
        default="1x2",
        help="throughput runs as WORKERSxPROCESSES, comma-separated ('' to skip); 1x2 is the "
        "default deployment on 2 cores",
    )
    parser.add_argument(
        "--pinned-layouts",
        default="1x1,2x1",
        help="throughput runs with worker N and its pool on CPU N-1 (one core per worker): the "
        "scale-out pair ('' to skip)",
    )
    parser.add_argument("--fast", action="store_true", help="clean.fast = true (trafilatura fast mode)")
    parser.add_argument("--reference-pages", type=int, default=100, help="0 skips the reference")
    parser.add_argument(
        "--live",
        default="20:60,5:600",
        help="live latency/memory runs as RATE:SECONDS (pages/s for seconds), comma-separated ('' to skip)",
    )
    parser.add_argument("--live-processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--live-drain-seconds",
        type=float,
        default=180.0,
        help="how long a live run may take to catch up after the load stops",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--label", default="", help="suffix of the result keys, e.g. 'orjson' for a variant")
    parser.add_argument(
        "--profile", type=Path, help="directory for py-spy profiles of the workers (py-spy on PATH)"
    )
    args = parser.parse_args()

    context = RunContext(base=Settings(), fast=args.fast, profile_dir=args.profile)
    spec = LoadSpec(pages=args.pages, feeds=args.feeds)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "started": datetime.now(UTC).isoformat(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "spec": asdict(spec),
    }
    if args.out.exists():  # keep the other sections of an earlier run when only some are re-run
        report = {**json.loads(args.out.read_text()), **report}
    suffix = ("_fast" if args.fast else "") + (f"_{args.label}" if args.label else "")
    if args.reference_pages:
        report["reference" + suffix] = reference(spec, args.reference_pages, args.fast)
        print_reference(report["reference" + suffix])
    for key, layouts_arg, pin in (
        ("throughput", args.layouts, False),
        ("scale_out", args.pinned_layouts, True),
    ):
        layouts = [WorkerLayout(*map(int, item.split("x"))) for item in layouts_arg.split(",") if item]
        if not layouts:
            continue
        context.pin = pin
        results = []
        for layout in layouts:
            print(
                f"  running {layout.name}{' (pinned)' if pin else ''} (load average "
                f"{os.getloadavg()[0]:.2f}) …",
                flush=True,
            )
            result = throughput_run(context, layout, spec)
            for name, profile in result["event_loop_profile"].items():
                print_profile(name, profile)
            result["pinned"] = pin
            result["load_average"] = os.getloadavg()
            results.append(result)
        report[key + suffix] = results
        print_throughput(results)
    context.pin = False
    for rate, seconds in (map(float, item.split(":")) for item in args.live.split(",") if item):
        print(
            f"  live run {rate:g} pages/s for {seconds:.0f} s (load average {os.getloadavg()[0]:.2f}) …",
            flush=True,
        )
        live = live_run(context, args.live_processes, rate, seconds, args.feeds, args.live_drain_seconds)
        live["load_average"] = os.getloadavg()
        report[f"live{suffix}_{rate:g}"] = live
        print_live(live)
    report["machine"]["load_average_at_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
