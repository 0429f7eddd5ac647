"""`newsmon extract`: the JSON contract."""

import json

from click.testing import CliRunner

from streams.extract.command import extract_command


def test_extract_prints_one_json_object_per_event(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(
        "أعلنت اليابان فرض عقوبات جديدة على بنوك روسية.\nقال زيلينسكي إن الطقس جميل.", encoding="utf-8"
    )
    result = CliRunner().invoke(extract_command, [str(path)])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines()]
    assert len(events) == 1
    event = events[0]
    assert set(event) == {
        "path",
        "type",
        "category",
        "status",
        "actors",
        "targets",
        "object",
        "quantity",
        "condition",
        "sentence",
        "span",
        "lang",
        "confidence",
    }
    assert event["actors"] == [{"name": "Japan", "code": "JPN"}]
    assert event["lang"] == "ar" and isinstance(event["span"], list)


def test_extract_reads_stdin_and_prints_a_table():
    result = CliRunner().invoke(
        extract_command,
        ["-", "--format", "table", "--lang", "en"],
        input="Britain will send 500 troops to Estonia.",
    )
    assert result.exit_code == 0, result.output
    assert "commitment" in result.output and "GBR" in result.output
