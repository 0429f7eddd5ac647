"""How the dedup hops' work per page grows with the index a run builds up: the bench's load (`loadgen.py`)
cleaned, then run in order through every dedup hop in one process (`InMemoryDedup`), 5 pages a second of
publication time (the live bench's rate, so 3,000 pages are its 10 minutes), printing per block of pages the
CPU per page of the dedup hops, the look-alikes each index probe compared and the messages per page.

Why (issue #19): in the 10-minute live run the page-to-alert latency rose from 0.26 s in the first minutes to
tens of seconds, the join's decisions and the index replies first. This isolates the index hop's share of it.
Run: .venv/bin/python bench/bench_index_growth.py [--pages 3000] [--block 250]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import Corpus, LoadSpec  # noqa: E402
from newsmon.streams.clean.logic import clean_page  # noqa: E402
from newsmon.streams.dedup import logic  # noqa: E402

from newsmon.settings import Settings  # noqa: E402

START = 1_800_000_000.0
PAGES_PER_SECOND = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--block", type=int, default=250, help="pages per printed row")
    args = parser.parse_args()
    settings = Settings()
    corpus = Corpus(LoadSpec(pages=args.pages))
    started = time.monotonic()
    articles = [clean_page(corpus.raw_page(index), settings.clean) for index in range(args.pages)]
    print(f"{len(articles)} loadgen pages cleaned in {time.monotonic() - started:.0f} s")

    dedup = logic.InMemoryDedup(settings.dedup)
    compared: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    probe, handle = logic.index_probe, dedup.handle

    def counting_probe(index_probe, read, now, dedup_settings, copies=None):  # noqa: ANN001, ANN202
        compared["probes"] += 1
        compared["look_alikes"] += len(
            {entry[0] for key in index_probe.keys for entry in (read(key) or {}).get("entries", [])}
            - {index_probe.article_id}
        )
        return probe(index_probe, read, now, dedup_settings, copies)

    def counting_handle(send, origin, now):  # noqa: ANN001, ANN202 - InMemoryDedup.handle's signature
        messages[send.topic] += 1
        return handle(send, origin, now)

    logic.index_probe = counting_probe  # index_hop looks it up in the module at each call
    dedup.handle = counting_handle  # type: ignore[method-assign]
    print(f"{'pages':>6} {'dedup CPU ms/page':>18} {'look-alikes/probe':>18} {'messages/page':>14}")
    block_started, last_compared, last_messages = time.process_time(), Counter(compared), Counter(messages)
    for index, article in enumerate(articles):
        dedup.add(article, now=START + index / PAGES_PER_SECOND)
        if (index + 1) % args.block:
            continue
        spent = time.process_time() - block_started
        probes = compared["probes"] - last_compared["probes"]
        look_alikes = compared["look_alikes"] - last_compared["look_alikes"]
        sent = messages.total() - last_messages.total()
        print(
            f"{index + 1:>6} {1000 * spent / args.block:>18.2f} {look_alikes / max(probes, 1):>18.1f} "
            f"{sent / args.block:>14.1f}"
        )
        last_compared, last_messages = Counter(compared), Counter(messages)
        block_started = time.process_time()


if __name__ == "__main__":
    main()
