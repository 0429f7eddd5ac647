"""pytest plugin: run the project's quality tests with the clean stage in trafilatura's fast mode.

Tests build `CleanSettings()` directly (not from the environment), so `NEWSMON_CLEAN__FAST=true` would not
reach them; this plugin flips the field's default instead:

    PYTHONPATH=bench .venv/bin/python -m pytest -p fast_clean_plugin tests/clean tests/extract

Expected: one failure, tests/clean/test_logic.py::test_unbalanced_markup_still_yields_exactly_the_news — the
reason fast mode is not the default (its fallback extractors recover pages with unbalanced markup).
"""

from __future__ import annotations

from newsmon.settings.clean import CleanSettings

CleanSettings.model_fields["fast"].default = True
CleanSettings.model_rebuild(force=True)
assert CleanSettings().fast, "the fast-mode default did not take"


def pytest_report_header() -> str:
    return "clean stage: trafilatura fast mode (bench/fast_clean_plugin.py)"
