"""Dedup throughput and state size at 100k indexed articles, on one core, no broker.

The stage's pure functions are driven in-process over synthetic ~500-word Arabic and English articles (Zipf-
distributed words: the real stop words, then a generated vocabulary; one article in ten is an earlier one with
a twentieth of its words replaced, so look-ups do find candidates):

- **near-duplicate step**: MinHash signature, band keys, sentence sketch (containment), one index probe per
  index partition (read, prune and insert each key there, compare with the entries' fingerprint copies,
  reply) — what the by-text and index hops spend per article to find copies; one worker's tables for the
  whole run, as an index agent keeps its table and its decoded fingerprint copies;
- **full fingerprint + index**: the same plus the story profile and story keys, probing every index key;
- **state**: the index table as Faust's JSON tables store it (key + value bytes) per indexed article, the
  fingerprint, and the whole join state per article (measured on a smaller sample, since it runs
  every hop of the flow through InMemoryDedup).

CPU time of this process (time.process_time) is the per-core figure. Target: ≥ 1,000 articles/s per
core for the near-duplicate step at 100k articles (issue 18; an earlier aim was 2,000).
Run: .venv/bin/python bench/bench_dedup.py [--articles N] [--join-sample N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from newsmon.streams.dedup import containment, minhash
from newsmon.streams.dedup.logic import (
    DedupTables,
    Fingerprint,
    InMemoryDedup,
    JoinState,
    fingerprint,
    fingerprint_probes,
    index_hop,
    join_overdue,
)
from newsmon.streams.dedup.stories import StoryProfile
from newsmon.streams.dedup.words import hashed_words

from newsmon.records import Article
from newsmon.settings.dedup import DedupSettings

START = 1_800_000_000.0
SPACING_SECONDS = 5.0  # 100k articles over ~6 days: all inside the 7-day window, nothing expires mid-run
WORDS_PER_ARTICLE = 500
COPY_EVERY = 10
VOCABULARY = 20_000
STOP_WORDS = Path(__file__).resolve().parents[1] / "streams" / "dedup" / "data"
PARTITIONS = 4  # index partitions (kafka.partitions): an article's keys are probed one message per partition
NO_STORY = StoryProfile(terms="", phrases="", numbers="")
ALPHABETS = {"en": "abcdefghilmnoprstuvwy", "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"}


def vocabulary(lang: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """The language's stop words first — the most frequent ranks, as in real text, where they keep story
    phrases apart — then generated content words up to `size`."""
    path = STOP_WORDS / f"stopwords_{lang}.txt"
    stops = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    letters = np.array(list(ALPHABETS[lang]))
    content = [
        "".join(rng.choice(letters, size=length)) for length in rng.integers(3, 10, size=size - len(stops))
    ]
    return np.array(stops + content)


def synthetic_texts(count: int, seed: int = 5) -> Iterator[tuple[str, str]]:
    """(language, text) pairs, languages alternating; every COPY_EVERY-th text is a lightly edited copy of a
    recent one."""
    rng = np.random.default_rng(seed)
    vocabularies = {lang: vocabulary(lang, VOCABULARY, rng) for lang in ALPHABETS}
    ranks = np.arange(1, VOCABULARY + 1)
    zipf = (1.0 / ranks) / (1.0 / ranks).sum()
    recent: list[tuple[str, list[str]]] = []
    for index in range(count):
        if index % COPY_EVERY == COPY_EVERY - 1 and recent:
            lang, words = recent[int(rng.integers(len(recent)))]
            words = list(words)
            for position in rng.choice(len(words), size=len(words) // 20, replace=False):
                words[position] = str(rng.choice(vocabularies[lang]))
        else:
            lang = "en" if index % 2 == 0 else "ar"
            words = list(rng.choice(vocabularies[lang], size=WORDS_PER_ARTICLE, p=zipf))
            recent = [*recent[-99:], (lang, words)]
        sentences = [" ".join(words[i : i + 20]) + "." for i in range(0, len(words), 20)]
        yield lang, "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def article_of(text: str, lang: str, index: int) -> Article:
    published = datetime.fromtimestamp(START + index * SPACING_SECONDS, UTC)
    url = f"https://bench.invalid/{index}"
    return Article(
        article_id=f"a{index:07d}",
        url=url,
        canonical_url=url,
        feed_url="https://bench.invalid/feed",
        outlet="bench",
        published_at=published,
        published_source="feed",
        fetched_at=published,
        language=lang,
        direction="rtl" if lang == "ar" else "ltr",
        paragraphs=text.split("\n\n"),
        text=text,
        sentences=[],
        word_count=len(text.split()),
        text_hash=f"h{index}",
    )


@dataclass
class Run:
    cpu_seconds: float = 0.0
    articles: int = 0
    probes: int = 0
    candidates: int = 0

    @property
    def per_second(self) -> float:
        return self.articles / self.cpu_seconds if self.cpu_seconds else 0.0


def probe_all(
    tables: DedupTables, article_id: str, article_fingerprint: Fingerprint, settings: DedupSettings
) -> tuple[int, int]:
    """Every index probe of one article (one per partition its keys live on): (probes, look-alikes the replies
    name). One `tables` for the whole run, as a worker keeps its index and its decoded fingerprint copies."""
    found = 0
    article_probes = fingerprint_probes(article_id, article_fingerprint, PARTITIONS)
    for probe in article_probes:
        (reply,) = index_hop(tables, probe, article_fingerprint.published, settings)
        found += len(reply.record.candidates)
    return len(article_probes), found


def new_tables() -> DedupTables:
    index: dict[str, Any] = {}
    return DedupTables(urls={}, texts={}, index=index, index_keys=index, joins={}, articles={})


def near_duplicate_step(
    texts: list[tuple[str, str]], settings: DedupSettings
) -> tuple[Run, Run, dict[str, Any]]:
    """(signature + band keys + sentence sketch, band-key index probes) timed apart: two hops, possibly two
    workers."""
    signing, probing, tables = Run(), Run(), new_tables()
    for position, (_, text) in enumerate(texts):
        started = time.process_time()
        words = hashed_words(text)
        sig = minhash.signature(words.hashes, settings.num_perm, settings.shingle_words)
        keys = minhash.band_keys(sig, settings.bands, settings.rows)
        sentences = containment.sketch(words)
        signed = time.process_time()
        near_print = Fingerprint(
            signature=minhash.encode(sig),
            sentences=sentences,
            profile=NO_STORY,
            keys=keys,
            published=START + position * SPACING_SECONDS,
        )
        probes, found = probe_all(tables, f"a{position:07d}", near_print, settings)
        probing.cpu_seconds += time.process_time() - signed
        signing.cpu_seconds += signed - started
        signing.articles += 1
        probing.articles += 1
        probing.probes += probes
        probing.candidates += found
    return signing, probing, tables.index


def full_step(texts: list[tuple[str, str]], settings: DedupSettings) -> tuple[Run, dict[str, Any], int]:
    """Fingerprint (signature, story profile, all keys) and every index probe; also the fingerprint bytes."""
    run, tables, print_bytes = Run(), new_tables(), 0
    for position, (lang, text) in enumerate(texts):
        article = article_of(text, lang, position)  # outside the timing: the cleaner built it upstream
        started = time.process_time()
        signature = fingerprint(article, settings)
        probes, found = probe_all(tables, article.article_id, signature, settings)
        run.cpu_seconds += time.process_time() - started
        run.articles += 1
        run.probes += probes
        run.candidates += found
        print_bytes += len(signature.model_dump_json())
    return run, tables.index, print_bytes


def table_bytes(table: dict[str, Any]) -> int:
    """What a Faust table with JSON keys and values holds: key bytes plus serialised value bytes."""
    return sum(
        len(key.encode()) + len(json.dumps(value, separators=(",", ":")).encode())
        for key, value in table.items()
    )


def whole_flow(texts: list[tuple[str, str]], settings: DedupSettings) -> InMemoryDedup:
    """Every hop of the flow for each article, through InMemoryDedup."""
    dedup = InMemoryDedup(settings, PARTITIONS)
    for position, (lang, text) in enumerate(texts):
        dedup.add(article_of(text, lang, position), now=START + position * SPACING_SECONDS)
    return dedup


def join_state_bytes(dedup: InMemoryDedup, articles: int) -> tuple[float, float]:
    """Whole-flow state per article (index table, join table)."""
    joins = {key: state.encode() for key, state in dedup.tables["joins"].items()}
    return table_bytes(dedup.tables["index"]) / articles, table_bytes(joins) / articles


def deadline_timer_seconds(
    dedup: InMemoryDedup, settings: DedupSettings, calls: int = 1000
) -> tuple[float, float]:
    """CPU seconds per call of the overdue-decision timer over the flow's join states: reading every state
    from its table form (JSON), as the timer did before it kept the undecided articles (issue 17), and
    looking through those (`UndecidedArticles.overdue`)."""
    now = START + len(dedup.tables["joins"]) * SPACING_SECONDS
    stored = [json.dumps(state.encode()).encode() for state in dedup.tables["joins"].values()]
    started = time.process_time()
    for raw in stored:
        join_overdue(JoinState.decode(json.loads(raw)), now, settings)
    every_state = time.process_time() - started
    started = time.process_time()
    for _ in range(calls):
        dedup.state.undecided.overdue(now, settings)
    return every_state, (time.process_time() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles indexed")
    parser.add_argument("--join-sample", type=int, default=5_000, help="articles run through the whole flow")
    args = parser.parse_args()
    settings = DedupSettings()
    generated = time.perf_counter()
    texts = list(synthetic_texts(args.articles))
    mean_words = sum(len(text.split()) for _, text in texts) / len(texts)
    print(
        f"{len(texts)} synthetic articles (en/ar), {mean_words:.0f} words each, built in "
        f"{time.perf_counter() - generated:.0f} s"
    )
    signing, probing, near_index = near_duplicate_step(texts, settings)
    near_bytes = table_bytes(near_index)
    del near_index
    full, full_index, print_bytes = full_step(texts, settings)
    full_bytes, keys = table_bytes(full_index), len(full_index)
    del full_index
    flow = whole_flow(texts[: args.join_sample], settings)
    flow_index, flow_join = join_state_bytes(flow, len(texts[: args.join_sample]))
    every_state, undecided = deadline_timer_seconds(flow, settings)
    count = len(texts)
    near = Run(
        cpu_seconds=signing.cpu_seconds + probing.cpu_seconds,
        articles=count,
        probes=probing.probes,
        candidates=probing.candidates,
    )
    print(
        f"\n{'step':<36}{'articles':>9}{'cpu s':>8}{'articles/s/core':>17}{'probes/s/core':>15}"
        f"{'look-alikes/art':>16}"
    )
    for name, run in (
        ("signature + band keys + sketch", signing),
        ("index probes (one per partition)", probing),
        ("near-duplicate step (both)", near),
        ("full fingerprint + all probes", full),
    ):
        probes = f"{run.probes / run.cpu_seconds:>15.0f}" if run.probes else f"{'':>15}"
        candidates = f"{run.candidates / run.articles:>16.2f}" if run.probes else ""
        print(
            f"{name:<36}{run.articles:>9}{run.cpu_seconds:>8.1f}{run.per_second:>17.0f}{probes}{candidates}"
        )
    print(f"\n{'state (JSON, as Faust tables store it)':<60}{'bytes/article':>14}")
    for name, value in (
        (f"index, band keys only ({count} articles)", near_bytes / count),
        (f"index, band + story keys ({count} articles, {keys} keys)", full_bytes / count),
        ("fingerprint (JSON; one copy per index partition)", print_bytes / count),
        (f"index via the whole flow ({args.join_sample} articles)", flow_index),
        (f"join state via the whole flow ({args.join_sample} articles)", flow_join),
    ):
        print(f"{name:<60}{value:>14.0f}")
    states = len(flow.tables["joins"])
    print(
        f"\ndeadline timer, CPU per call over {states} join states: reading every state "
        f"{every_state * 1e3:.1f} ms ({every_state / states * 1e6:.1f} µs a state); the "
        f"{len(flow.state.undecided)} undecided articles {undecided * 1e6:.2f} µs"
    )


if __name__ == "__main__":
    main()
