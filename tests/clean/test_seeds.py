"""The seeds evaluation as a test: no annotated boilerplate line survives, every news paragraph does."""

import importlib.util
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
EVAL = Path(__file__).resolve().parents[2] / "bench" / "eval_clean_seeds.py"


def _evaluate():
    spec = importlib.util.spec_from_file_location("eval_clean_seeds", EVAL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module.evaluate(SEEDS)


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"seed texts absent ({SEEDS}): they are third-party data in ../shared"
)
def test_seed_boilerplate_removed_and_news_kept() -> None:
    results = _evaluate()
    assert results, "no seed files"
    for result in results:
        assert result.kept == [], f"{result.name}: boilerplate survived"
        assert result.lost == [], f"{result.name}: news paragraphs lost"
        assert result.extra == [], f"{result.name}: page chrome kept"
    assert sum(len(r.removed) for r in results) >= 17
