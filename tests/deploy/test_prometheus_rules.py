"""promtool on the Prometheus files: config and rules are valid, and the rules' unit tests pass."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.deploy.deploy_files import PROMETHEUS_DIR

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is absent (Debian: apt-get install prometheus); CI installs it",
)


def promtool(*args: str) -> str:
    result = subprocess.run(
        ["promtool", *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_config_is_valid():
    assert "1 rule files found" in promtool("check", "config", "prometheus.yml")


def test_rules_are_valid():
    promtool("check", "rules", "rules.yml")


def test_rules_unit_tests_pass():
    promtool("test", "rules", "rules.test.yml")
