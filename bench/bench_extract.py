"""Extraction throughput: articles per second on one core, on ~600-word Arabic and English articles.

Articles are built from the labelled dev-set sentences (about one event sentence in six) and filler news
prose, so the pre-filter sees a realistic share of candidate sentences.
Run: .venv/bin/python bench/bench_extract.py [--articles N]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

from newsmon.streams.extract.engine import extract_events
from newsmon.streams.extract.lexicon import load_lexicon

LOGGER = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
FILLER = {
    "en": [
        "The talks lasted several hours and ended without a joint statement.",
        "Officials said the weather had delayed the arrival of several delegations.",
        "Markets in the region were calm on Monday as investors waited for the central bank decision.",
        "The minister met local officials and visited a school damaged by the floods last spring.",
        "Analysts expect the election to be close, with turnout likely to decide the result.",
        "The city council approved a new plan for public transport in the northern districts.",
        "Residents said electricity had been restored in most neighbourhoods by the evening.",
        "The report, published on Thursday, examines the state of the country's hospitals.",
        "Negotiators are expected to meet again next week in Geneva, according to diplomats.",
        "Prices of bread and fuel have risen sharply over the past three months.",
    ],
    "ar": [
        "استمرت المحادثات عدة ساعات وانتهت دون صدور بيان مشترك.",
        "قال مسؤولون إن سوء الأحوال الجوية أخر وصول عدد من الوفود.",
        "شهدت أسواق المنطقة هدوءا يوم الاثنين بانتظار قرار البنك المركزي.",
        "التقى الوزير مسؤولين محليين وزار مدرسة تضررت من الفيضانات في الربيع الماضي.",
        "يتوقع محللون أن تكون الانتخابات متقاربة وأن تحسم نسبة المشاركة النتيجة.",
        "وافق مجلس المدينة على خطة جديدة للنقل العام في الأحياء الشمالية.",
        "قال السكان إن الكهرباء عادت إلى معظم الأحياء بحلول المساء.",
        "يتناول التقرير الذي نشر الخميس أوضاع المستشفيات في البلاد.",
        "من المتوقع أن يلتقي المفاوضون مجددا الأسبوع المقبل في جنيف بحسب دبلوماسيين.",
        "ارتفعت أسعار الخبز والوقود بشكل حاد خلال الأشهر الثلاثة الماضية.",
    ],
}


def build_articles(language: str, count: int, words: int = 600, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    lines = (ROOT / "tests" / "extract" / "devset.jsonl").read_text(encoding="utf-8").splitlines()
    event_sentences = [item["text"] for item in map(json.loads, lines) if item["lang"] == language]
    articles = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(sentence.split()) for sentence in sentences) < words:
            pool = event_sentences if rng.random() < 0.17 else FILLER[language]
            sentences.append(rng.choice(pool))
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        articles.append("\n\n".join(paragraphs))
    return articles


def measure(articles: list[str], language: str, repeats: int = 3) -> tuple[float, int]:
    """CPU seconds of this process (per core, whatever else the machine runs) for one pass, best of
    `repeats`, and the events found."""
    best = float("inf")
    events = 0
    for _ in range(repeats):
        started = time.process_time()
        events = sum(len(extract_events(article, language)) for article in articles)
        best = min(best, time.process_time() - started)
    return best, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600, help="articles per language")
    args = parser.parse_args()
    load_started = time.perf_counter()
    load_lexicon()
    load_seconds = time.perf_counter() - load_started
    print(f"lexicon load (once per process): {load_seconds * 1000:.0f} ms")
    print(f"{'language':<10}{'articles':>10}{'words/art':>11}{'cpu s':>10}{'articles/s':>12}{'events':>8}")
    for language in ("en", "ar", "auto"):
        source = "en" if language == "auto" else language
        articles = build_articles(source, args.articles)
        measure(articles[:20], language, repeats=1)  # warm the stem cache as a long-running worker would be
        seconds, events = measure(articles, language)
        mean_words = sum(len(article.split()) for article in articles) / len(articles)
        print(
            f"{language:<10}{len(articles):>10}{mean_words:>11.0f}{seconds:>10.2f}"
            f"{len(articles) / seconds:>12.0f}{events:>8}"
        )


if __name__ == "__main__":
    main()
