import json
from types import SimpleNamespace

from click.testing import CliRunner
from newsmon.streams.clean.command import clean_command

from newsmon.settings.clean import CleanSettings

from .conftest import EN_BODY, EN_KEPT, page_html


def _run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(clean_command, args, input=stdin, obj=SimpleNamespace(clean=CleanSettings()))


def test_json_output_for_an_html_file(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_text(page_html(EN_BODY, "en", "EU sanctions"), encoding="utf-8")
    result = _run([str(path)])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["paragraphs"] == EN_KEPT and view["language"] == "en"
    assert view["published_source"] == "fetched" and "Share this article" in view["removed_boilerplate"]
    assert view["sentences"][0]["text"].startswith("BRUSSELS (Reuters)")


def test_text_output_from_stdin() -> None:
    result = _run(
        ["--format", "text", "-"], stdin="وأكد المتحدث باسم الحكومة أن القرار نهائي ولا رجعة فيه.\nتابعنا\n"
    )
    assert result.exit_code == 0, result.output
    assert "وأكد المتحدث" in result.output and "   تابعنا" in result.output


def test_rejected_file_reports_the_reason(tmp_path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 20)
    result = _run([str(path)])
    assert result.exit_code == 1 and "binary" in result.output
