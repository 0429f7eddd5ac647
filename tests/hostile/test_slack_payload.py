"""A Slack message built from a hostile alert: sources whose URL is not http(s) are never links, and text
from feeds and pages cannot add links or mentions (`<url|label>`, `<!channel>`)."""

from __future__ import annotations

import json
import re

from newsmon.connectors.sinks.payloads import slack_body
from newsmon.streams.alerts.logic import track

from newsmon.records import Alert, MessageOrigin, Source
from newsmon.settings.alerts import AlertSettings
from tests.factories import NOW, make_event

ALERT: Alert = track(
    None, make_event("north"), MessageOrigin(topic="events", partition=0, offset=1), NOW, AlertSettings()
).alerts[0]
HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "https:no-host",
]
# Slack mrkdwn link or special mention: `<target>` or `<target|label>`.
LINK = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")


def texts(payload: dict) -> list[str]:
    return [
        payload["text"],
        payload["blocks"][0]["text"]["text"],
        payload["blocks"][1]["text"]["text"],
        payload["blocks"][2]["elements"][0]["text"],
    ]


def test_only_http_sources_become_links_and_hostile_text_is_escaped():
    sources = [
        Source(url=url, outlet=f"Outlet {index}", published_at=NOW) for index, url in enumerate(HOSTILE_URLS)
    ]
    sources.append(Source(url="https://news.example/a?x=1&y=<2>|3", outlet="Good <b>", published_at=NOW))
    alert = ALERT.model_copy(
        update={
            "summary": "Click <javascript:alert(1)|here> <!channel>",
            "evidence": "Read <data:text/html,x|this> & <https://evil.example|that>",
            "sources": sources,
        }
    )
    payload = json.loads(slack_body(alert))
    links = [match.group(1) for text in texts(payload) for match in LINK.finditer(text)]
    assert links == ["https://news.example/a?x=1&amp;y=%3C2%3E%7C3"]
    context = payload["blocks"][2]["elements"][0]["text"].split("\n")
    assert context[: len(HOSTILE_URLS)] == [f"Outlet {index}" for index in range(len(HOSTILE_URLS))]
    assert context[-1] == "<https://news.example/a?x=1&amp;y=%3C2%3E%7C3|Good &lt;b&gt;>"
    assert payload["text"].endswith("Click &lt;javascript:alert(1)|here&gt; &lt;!channel&gt;")
