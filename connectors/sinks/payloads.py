"""Request bodies for a sink: the Alert record itself, or a Slack incoming-webhook message.

Everything in an alert's text comes from feeds and pages, which anyone can write. In a Slack message `<…>` is
markup (`<url|label>` is a link, `<!channel>` pings everyone), so the text is escaped as Slack asks (`&`, `<`,
`>`), and only http(s) source URLs become links: any other (`javascript:`, `data:` …) shows as the outlet's
name alone.
"""

from __future__ import annotations

import json

from newsmon.connectors.urls import is_web_url

from newsmon.records import Alert, Source

# Characters that would end a Slack link's URL part early (at the first `|` the label begins) or start markup;
# percent-encoded, which leaves the address the same.
_URL_BREAKERS = str.maketrans({"|": "%7C", "<": "%3C", ">": "%3E", " ": "%20"})


def json_body(alert: Alert) -> bytes:
    return alert.to_bytes()


def slack_escape(text: str) -> str:
    """`text` shown as written in a Slack mrkdwn field, never read as a link, mention or command."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_source(source: Source) -> str:
    """The outlet as a link to the source, when the source URL is an http(s) one; else its name alone."""
    outlet = slack_escape(source.outlet)
    if not is_web_url(source.url):
        return outlet
    return f"<{slack_escape(source.url.strip().translate(_URL_BREAKERS))}|{outlet}>"


def slack_body(alert: Alert) -> bytes:
    """A Slack-compatible payload: `text` for notifications, blocks with the evidence and the sources."""
    sources = "\n".join(slack_source(source) for source in alert.sources)
    summary = slack_escape(alert.summary)
    heading = f"*[{alert.kind.upper()}]* {summary}"
    detail = (
        f"> {slack_escape(alert.evidence.strip())}\n"
        f"{alert.corroboration} outlet(s) · rules: {', '.join(alert.rules)}"
    )
    message = {
        "text": f"[{alert.kind.upper()}] {summary}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": heading}},
            {"type": "section", "text": {"type": "mrkdwn", "text": detail}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": sources or "-"}]},
        ],
        "metadata": {"event_type": "newsmon_alert", "event_payload": {"alert_id": alert.alert_id}},
    }
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


BODIES = {"json": json_body, "slack": slack_body}
