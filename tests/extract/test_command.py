"""`newsmon extract`: the JSON contract."""

import json

from click.testing import CliRunner
from newsmon.streams.extract.command import extract_command

from newsmon.settings import Settings
from newsmon.shell.demo.site import DemoSite


def test_extract_prints_one_json_object_per_event(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(
        "أعلنت اليابان فرض عقوبات جديدة على بنوك روسية.\nقال زيلينسكي إن الطقس جميل.", encoding="utf-8"
    )
    result = CliRunner().invoke(extract_command, [str(path)], obj=Settings())
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
        obj=Settings(),
    )
    assert result.exit_code == 0, result.output
    assert "commitment" in result.output and "GBR" in result.output


def test_the_table_has_a_header_and_readable_quantities():
    result = CliRunner().invoke(
        extract_command,
        ["-", "--format", "table", "--lang", "en"],
        input="Japan will provide Ukraine with a loan of $700 million.\n"
        "The EU adopted its 20th sanctions package against Russia.",
        obj=Settings(),
    )
    assert result.exit_code == 0, result.output
    header, *rows = result.output.expandtabs().splitlines()
    assert header.split() == [
        "file",
        "type",
        "category",
        "status",
        "actors",
        "targets",
        "quantity",
        "conf",
        "sentence",
    ]
    assert len(rows) == 2
    assert "700 million USD" in rows[0] and "e+08" not in rows[0]
    assert "20th package" in rows[1]
    # The columns line up under the header.
    assert rows[0].index("700 million USD") == header.index("quantity")


def test_html_goes_through_the_clean_stage_first(tmp_path):
    site = DemoSite.load()
    article = next(a for a in site.articles if "germany" in a["slug"])
    path = tmp_path / "page.html"
    path.write_text(site.render_article(article, "http://127.0.0.1:8000"), encoding="utf-8")
    result = CliRunner().invoke(extract_command, [str(path)], obj=Settings())
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines()]
    assert [(e["type"], e["category"], e["actors"][0]["code"]) for e in events] == [
        ("commitment", "air_defence", "DEU")
    ]
    # Offsets point into the cleaned text, whose first sentence is the lead, not the navigation.
    assert events[0]["span"][0] == 0
