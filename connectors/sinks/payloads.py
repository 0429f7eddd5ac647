"""Request bodies for a sink: the Alert record itself, or a Slack incoming-webhook message."""

from __future__ import annotations

import json

from newsmon.records import Alert


def json_body(alert: Alert) -> bytes:
    return alert.to_bytes()


def slack_body(alert: Alert) -> bytes:
    """A Slack-compatible payload: `text` for notifications, blocks with the evidence and the sources."""
    sources = "\n".join(f"<{source.url}|{source.outlet}>" for source in alert.sources)
    heading = f"*[{alert.kind.upper()}]* {alert.summary}"
    detail = f"> {alert.evidence.strip()}\n{alert.corroboration} outlet(s) · rules: {', '.join(alert.rules)}"
    message = {
        "text": f"[{alert.kind.upper()}] {alert.summary}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": heading}},
            {"type": "section", "text": {"type": "mrkdwn", "text": detail}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": sources or "-"}]},
        ],
        "metadata": {"event_type": "newsmon_alert", "event_payload": {"alert_id": alert.alert_id}},
    }
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


BODIES = {"json": json_body, "slack": slack_body}
