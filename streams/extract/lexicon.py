"""The extraction lexicon: the tagged words of commitments and sanctions (`data/lexicon.json`) with the
gazetteer, matched by the text toolkit's phrase matcher (newsmon/text/phrases.py), loaded once."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

from newsmon.text.phrases import Lexicon, read_gazetteer

LOGGER = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

# Tags whose words can make a sentence an event candidate: the objects of commitments and sanctions.
TRIGGER_TAGS = frozenset(
    {
        "sanctions",
        "embargo",
        "ban",
        "energy",
        "export_controls",
        "tariffs",
        "freeze",
        "blacklist",
        "financial_measure",
        "troops",
        "weapons",
        "nuclear_arms",
        "air_defence",
        "guarantees",
        "training",
        "humanitarian",
        "money",
        "aid",
        "currency",
        "arms_embargo",
    }
)

# Words that open a contrasting clause, with its own subject: "Germany refused, but France agreed".
CONTRASTIVE_CONJUNCTIONS = frozenset(
    {"but", "however", "while", "whereas", "although", "لكن", "لكنه", "لكنها", "ولكن", "بينما"}
)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon built from `data/` and the gazetteer, once per process."""
    data = json.loads((DATA_DIR / "lexicon.json").read_text(encoding="utf-8"))
    tag_terms = data["tags"]
    rows = read_gazetteer()
    excluded = {
        tag: forms for tag, forms in data.get("excluded_forms", {}).items() if not tag.startswith("_")
    }
    lexicon = Lexicon(tag_terms, rows, excluded, TRIGGER_TAGS)
    LOGGER.debug("lexicon loaded: %d tags, %d gazetteer surfaces", len(tag_terms), len(rows))
    return lexicon
