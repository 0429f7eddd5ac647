import json
import logging
import stat

import httpx
import pytest

from newsmon.logs import RedactingFilter, configure_logging
from newsmon.redact import is_secret_name, redact_settings, redact_text, redact_url
from newsmon.settings import Settings
from newsmon.settings.alerts import AlertSettings, SinkSettings
from newsmon.shell.processes import write_effective_settings

SLACK_TOKEN = "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
SLACK_HOOK = f"https://hooks.slack.com/services/{SLACK_TOKEN}"


@pytest.mark.parametrize(
    "url, redacted",
    [
        ("https://user:pass@host.example/feed", "https://***@host.example/feed"),
        ("https://token@host.example:8443/x", "https://***@host.example:8443/x"),
        (
            "https://example.org/rss?page=2&api_key=abc&Token=t&X-Amz-Signature=ff&keywords=eu",
            "https://example.org/rss?page=2&api_key=***&Token=***&X-Amz-Signature=***&keywords=eu",
        ),
        (
            "https://example.org/rss?sig=1&access_token=2&password=3",
            "https://example.org/rss?sig=***&access_token=***&password=***",
        ),
        (
            "https://example.org/cb#access_token=abc&state=1",
            "https://example.org/cb#access_token=***&state=1",
        ),
        (SLACK_HOOK, "https://hooks.slack.com/services/***"),
        ("https://discord.com/api/webhooks/123456/abcDEF-ghi", "https://discord.com/api/***"),
        (
            "https://hooks.example.org/in/5f0c9a2be1d34c7f8a6b9e0d1c2f3a4b/x",
            "https://hooks.example.org/in/***",
        ),
        ("https://webhook.site/550e8400-e29b-41d4-a716-446655440000", "https://webhook.site/***"),
        ("https://example.org/p/AbCdEf0123456789xyzQW", "https://example.org/p/***"),
        # Article URLs keep their path: slugs and short ids are not tokens.
        (
            "https://example.org/world/2024/05/12/eu-agrees-14th-sanctions-package-against-russia",
            "https://example.org/world/2024/05/12/eu-agrees-14th-sanctions-package-against-russia",
        ),
        (
            "https://example.org/news/1234567?utm_source=rss",
            "https://example.org/news/1234567?utm_source=rss",
        ),
        ("http://[::1/unclosed", "***"),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, redacted: str):
    assert redact_url(url) == redacted


@pytest.mark.parametrize(
    "name", ["token", "API_KEY", "apiKey", "client_secret", "X-Amz-Signature", "sig", "auth"]
)
def test_secret_names(name: str):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["keywords", "monkey", "page", "signal", "author", "utm_source"])
def test_names_that_are_not_secret(name: str):
    assert not is_secret_name(name)


def test_redact_text_redacts_every_url_in_it():
    text = f'POST {SLACK_HOOK} "HTTP/1.1 200 OK" then (https://u:p@h.example/x)'
    assert (
        redact_text(text)
        == 'POST https://hooks.slack.com/services/*** "HTTP/1.1 200 OK" then (https://***@h.example/x)'
    )


def test_redact_settings_masks_secret_keys_and_urls():
    dump = {"sinks": [{"secret": "s3cret", "url": SLACK_HOOK, "name": "desk"}, {"secret": None}], "n": 3}
    assert redact_settings(dump) == {
        "sinks": [
            {"secret": "***", "url": "https://hooks.slack.com/services/***", "name": "desk"},
            {"secret": None},
        ],
        "n": 3,
    }


@pytest.fixture
def json_logging(capsys: pytest.CaptureFixture[str]):
    """Yields a function that runs configure_logging (in the test: pytest adds its own handlers to the root
    logger for each phase) and returns a reader of the lines written; the loggers are restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}

    def configure():
        configure_logging("INFO")
        return lambda: capsys.readouterr().err

    yield configure
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_log_records_never_carry_credentials_in_clear(json_logging):
    read = json_logging()
    log = logging.getLogger("newsmon.test")
    log.info(
        "fetching %s",
        "https://reader:hunter2@feeds.example/rss?token=abc",
        extra={"hook": SLACK_HOOK, "n": 1},
    )
    try:
        raise RuntimeError(f"failed posting to {SLACK_HOOK}")
    except RuntimeError:
        log.exception("sink failed")
    output = read()
    for secret in ("hunter2", "token=abc", SLACK_TOKEN):
        assert secret not in output
    first, second = (json.loads(line) for line in output.splitlines())
    assert first["msg"] == "fetching https://***@feeds.example/rss?token=***"
    assert (first["hook"], first["n"]) == ("https://hooks.slack.com/services/***", 1)
    assert "https://hooks.slack.com/services/***" in second["exc"]


def test_httpx_request_lines_never_reach_the_output(json_logging):
    read = json_logging()
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as client:
        client.post(SLACK_HOOK, content=b"{}")
    assert read() == ""


def test_an_httpx_request_line_let_through_is_redacted(json_logging):
    # Should someone turn httpx back to INFO, its request line is still redacted.
    read = json_logging()
    logging.getLogger("httpx").setLevel(logging.INFO)
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as client:
        client.post(SLACK_HOOK, content=b"{}")
    output = read()
    assert SLACK_TOKEN not in output
    assert "HTTP Request: POST https://hooks.slack.com/services/***" in output


def test_a_bad_format_string_is_left_to_the_handler():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d", ("not a number",), None)
    assert RedactingFilter().filter(record) and record.msg == "%d"


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_effective_settings_are_owner_only_and_redacted(tmp_path):
    (tmp_path / "effective-settings.json").write_text("{}")  # an older, world-readable copy
    (tmp_path / "effective-settings.json").chmod(0o644)
    sink = SinkSettings(name="desk", url=SLACK_HOOK, secret="s3cret-key", format="slack")
    settings = Settings(alerts=AlertSettings(sinks=[sink]), state_dir=tmp_path)

    child_file = write_effective_settings(settings)

    shown = tmp_path / "effective-settings.json"
    assert _mode(shown) == 0o600 and _mode(child_file) == 0o600
    text = shown.read_text()
    assert "s3cret-key" not in text and SLACK_TOKEN not in text
    shown_sink = json.loads(text)["alerts"]["sinks"][0]
    assert (shown_sink["secret"], shown_sink["url"]) == ("***", "https://hooks.slack.com/services/***")
    # The children start from the complete settings: they sign and post with the real secret and URL.
    child = json.loads(child_file.read_text())["alerts"]["sinks"][0]
    assert (child["secret"], child["url"]) == ("s3cret-key", SLACK_HOOK)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "child-settings.json",
        "effective-settings.json",
    ]
