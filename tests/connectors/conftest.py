"""Connector test fixtures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# --import-mode=importlib puts no test directory on sys.path; the connector test kit is a plain module here.
sys.path.insert(0, str(Path(__file__).parent))

from connector_testkit import LoopbackServer


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.close()
