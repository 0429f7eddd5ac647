from pathlib import Path

import pytest

from newsmon.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [name for name in __import__("os").environ if name.startswith("NEWSMON_")]:
        monkeypatch.delenv(name)


def test_defaults_mean_embedded_broker():
    settings = load_settings()
    assert settings.kafka.bootstrap_servers is None
    assert settings.kafka.topic_prefix == "newsmon."


def test_config_file_then_environment_override(tmp_path: Path, monkeypatch):
    config = tmp_path / "newsmon.toml"
    config.write_text(
        '[kafka]\nbootstrap_servers = "kafka:9092"\npartitions = 6\n'
        '[[feeds]]\nurl = "https://example.org/rss"\nname = "Example"\nlanguage = "ar"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSMON_KAFKA__PARTITIONS", "12")
    settings = load_settings(config)
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert settings.kafka.partitions == 12
    assert settings.feeds[0].language == "ar"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[kafka]\nbootstrap = 'typo'\n", "bootstrap"),
        ("[connector]\npoll_intervall_seconds = 5\n", "poll_intervall_seconds"),
        ("[clean]\nmax_html_byte = 5\n", "max_html_byte"),
        ("[[feeds]]\nurl = 'https://example.org/feed'\nlanguge = 'ar'\n", "languge"),
    ],
)
def test_unknown_keys_are_refused_in_every_section(tmp_path: Path, toml: str, key: str):
    config = tmp_path / "newsmon.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=key):
        load_settings(config)


@pytest.mark.parametrize("url", ["htp:/example.org/feed", "example.org/feed", "file:///etc/passwd"])
def test_a_feed_url_must_be_absolute_http(tmp_path: Path, url: str):
    config = tmp_path / "newsmon.toml"
    config.write_text(f"[[feeds]]\nurl = '{url}'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an absolute http"):
        load_settings(config)


def test_missing_config_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_settings(tmp_path / "absent.toml")


def test_the_readme_configuration_example_loads(tmp_path: Path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "newsmon.toml"
    config.write_text(example, encoding="utf-8")
    settings = load_settings(config)
    assert settings.alerts.rule_names() == ["eu-sanctions"]
    assert settings.feeds[0].language == "ar"


def test_version_is_printed():
    from click.testing import CliRunner

    from newsmon.shell.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("newsmon, version ")
