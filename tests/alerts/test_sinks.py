import threading
import time

from newsmon.connectors.sinks.ledger import SentLedger
from newsmon.connectors.sinks.payloads import json_body, slack_body
from newsmon.connectors.sinks.webhook import RetryPolicy, WebhookSink, signature
from newsmon.streams.alerts.logic import track

from newsmon.records import Alert, MessageOrigin, Quantity
from newsmon.settings.alerts import AlertSettings
from tests.alerts.receiver import Receiver
from tests.factories import NOW, make_event

ALERT: Alert = track(
    None, make_event("north"), MessageOrigin(topic="events", partition=0, offset=1), NOW, AlertSettings()
).alerts[0]
QUICK = RetryPolicy(max_attempts=4, backoff_initial_seconds=0.05, backoff_max_seconds=0.2)


def sink(receiver: Receiver, retry: RetryPolicy = QUICK, rate: float = 1000.0) -> WebhookSink:
    return WebhookSink(
        receiver.url, secret=receiver.secret, timeout_seconds=2.0, retry=retry, rate_per_second=rate
    )


def test_signature_is_hmac_sha256_hex_of_the_timestamp_a_dot_and_the_body():
    # printf '1700000000.{}' | openssl dgst -sha256 -hmac key
    assert (
        signature(b"{}", "key", 1700000000)
        == "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
    )


def test_delivers_signed_json_and_retries_a_500_with_backoff():
    receiver = Receiver(secret="s3cret").start()
    receiver.fail_next = 2
    try:
        outcome = sink(receiver).deliver(json_body(ALERT), ALERT.alert_id, threading.Event())
    finally:
        receiver.stop()
    assert (outcome.delivered, outcome.attempts) == (True, 3)
    assert [request["status"] for request in receiver.requests] == [500, 500, 200]
    assert all(request["signed_ok"] for request in receiver.requests)
    assert receiver.bodies[ALERT.alert_id]["alert_id"] == ALERT.alert_id
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    # Exponential backoff, 0.05 s then 0.1 s: lower bounds only, since a loaded machine only adds delay.
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095, gaps


def test_connection_refused_then_recovered_is_delivered():
    receiver = Receiver()
    retry = RetryPolicy(max_attempts=30, backoff_initial_seconds=0.05, backoff_max_seconds=0.1)
    threading.Timer(0.5, receiver.start).start()  # the receiver comes up while the sink retries
    try:
        outcome = sink(receiver, retry).deliver(json_body(ALERT), ALERT.alert_id, threading.Event())
    finally:
        receiver.stop()
    assert outcome.delivered and outcome.attempts > 1
    assert receiver.acknowledged() == {ALERT.alert_id: 1}


def test_a_4xx_is_not_retried_and_exhausted_retries_report_the_reason():
    receiver = Receiver().start()
    try:
        receiver.status = 404
        refused = sink(receiver).deliver(json_body(ALERT), ALERT.alert_id, threading.Event())
        receiver.status = 503
        exhausted = sink(receiver).deliver(json_body(ALERT), ALERT.alert_id, threading.Event())
    finally:
        receiver.stop()
    assert (refused.delivered, refused.attempts, refused.reason) == (False, 1, "http_4xx")
    assert (exhausted.delivered, exhausted.attempts, exhausted.reason) == (False, 4, "http_5xx")


def test_rate_limit_spaces_requests():
    receiver = Receiver().start()
    webhook = sink(receiver, rate=20.0)
    try:
        started = time.monotonic()
        for _ in range(5):
            assert webhook.deliver(json_body(ALERT), ALERT.alert_id, threading.Event()).delivered
        elapsed = time.monotonic() - started
    finally:
        receiver.stop()
    assert elapsed >= 4 / 20.0


def test_slack_payload_has_text_and_blocks():
    payload = __import__("json").loads(slack_body(ALERT))
    assert payload["text"] == f"[NEW] {ALERT.summary}"
    assert ALERT.evidence in payload["blocks"][1]["text"]["text"]


def test_ledger_remembers_across_reopen(tmp_path):
    ledger = SentLedger(tmp_path / "hook.sqlite")
    ledger.add("a1")
    ledger.close()
    reopened = SentLedger(tmp_path / "hook.sqlite")
    assert "a1" in reopened and "a2" not in reopened
    assert reopened.prune(older_than_seconds=-1) == 1
    assert "a1" not in reopened


def test_tail_reads_the_rule_topic_or_the_default_topics():
    from newsmon.shell.alerts_tail import tail_topics

    assert tail_topics("p.", "ukraine") == ["p.alerts.ukraine"]
    assert tail_topics("p.", None) == ["p.alerts.commitments", "p.alerts.sanctions"]


def test_tail_shows_the_outlet_count_and_list_and_the_quantity():
    from newsmon.shell.alerts_tail import format_alert

    settings = AlertSettings(debounce_seconds=0)
    package = Quantity(value=20, unit="package", text="20th package")
    first = track(
        None,
        make_event("Harbor Wire", quantity=package),
        MessageOrigin(topic="events", partition=0, offset=1),
        NOW,
        settings,
    )
    second = track(
        first.state,
        make_event("Northwind Herald"),
        MessageOrigin(topic="events", partition=0, offset=2),
        NOW,
        settings,
    )
    lines = format_alert(second.alerts[0]).splitlines()
    assert lines[0] == (
        "[UPDATE] sanction · sanctions_package · announced · en · 20th package · "
        "2 outlets: Harbor Wire, Northwind Herald"
    )
    assert lines[1] == (
        "  The EU imposes the 20th sanctions package on Russia — announced"
        " — changed: corroborated by 2 outlets"
    )
    assert format_alert(first.alerts[0]).splitlines()[0].endswith("· 20th package · 1 outlet: Harbor Wire")
