"""streams.app.create_app: the Faust app built from the settings (the consumer transport, the JSON codec)."""

from __future__ import annotations

import asyncio
import os

import faust
import pytest
from faust.serializers import codecs

import streams.app
from newsmon.settings import load_settings
from streams.consumer import ConsumerThread


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.startswith("NEWSMON_")]:
        monkeypatch.delenv(name)


def _app(monkeypatch, tmp_path, bootstrap: str | None = None) -> faust.App:
    """The app as `newsmon worker` builds it, with NEWSMON_WORKER__FETCH_MAX_WAIT_MS=37; no broker unless given."""
    monkeypatch.setenv("NEWSMON_WORKER__FETCH_MAX_WAIT_MS", "37")
    monkeypatch.setenv("NEWSMON_STATE_DIR", str(tmp_path))
    if bootstrap is None:  # nothing listens there: skip create_app's tansu probe (constructing consumers is offline)
        bootstrap = "127.0.0.1:9"
        monkeypatch.setattr(streams.app, "reports_end_offsets_per_batch", lambda _bootstrap: True)
    return streams.app.create_app(load_settings(), bootstrap)


def test_fetch_max_wait_default_bounds_per_hop_latency():
    assert load_settings().worker.fetch_max_wait_ms == 100


@pytest.mark.parametrize("client_only", [False, True])
def test_consumers_are_created_with_the_configured_fetch_max_wait(monkeypatch, tmp_path, client_only):
    app = _app(monkeypatch, tmp_path)
    app.client_only = client_only
    thread = app.consumer._thread
    assert isinstance(thread, ConsumerThread)

    async def create() -> tuple[int, str | None]:
        consumer = thread._create_consumer(asyncio.get_running_loop())
        try:
            return consumer._fetch_max_wait_ms, consumer._group_id
        finally:
            await consumer.stop()

    wait_ms, group_id = asyncio.run(create())
    assert wait_ms == 37  # Faust's own: 1500 (worker), aiokafka's 500 (client only)
    assert group_id == (None if client_only else "newsmon")  # the rest is still Faust's configuration


@pytest.mark.broker
def test_the_started_consumer_fetches_with_the_configured_wait(monkeypatch, tmp_path, broker):
    app = _app(monkeypatch, tmp_path, broker.bootstrap_servers)

    async def start() -> int:
        consumer = app.consumer._thread._create_consumer(asyncio.get_running_loop())
        await consumer.start()
        try:
            return consumer._fetcher._fetch_max_wait_ms  # what aiokafka puts in its FetchRequests
        finally:
            await consumer.stop()

    assert asyncio.run(start()) == 37


def test_faust_json_codec_uses_orjson():
    # faust/utils/json.py switches dumps/loads to orjson when it imports: table values and changelogs.
    from faust.utils import json as faust_json

    assert faust_json.orjson is not None
    assert faust_json.loads.__defaults__[0] is faust_json.orjson.loads
    assert codecs.dumps("json", {"a": [1, "ب"]}) == '{"a":[1,"ب"]}'.encode()
