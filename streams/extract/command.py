"""`newsmon extract` and `newsmon eval`: the extraction engine from the command line.

Owns the JSON form of an `EventMention` (the evaluation contract: keep it stable) and reading labelled
JSONL files for scoring. HTML input goes through the clean stage first, exactly as in the pipeline.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import click
from newsmon.streams.clean.logic import article_from_document
from newsmon.streams.extract.engine import EventMention, extract_events
from newsmon.streams.extract.evaluation import Example, Report, labelled_events, score

from newsmon.settings.clean import CleanSettings

LOGGER = logging.getLogger(__name__)


def mention_to_json(mention: EventMention) -> dict:
    """The stable JSON form of one mention: actors/targets as [{"name", "code"}], span as [start, end]."""
    data = asdict(mention)
    data["actors"] = [{"name": party.name, "code": party.code} for party in mention.actors]
    data["targets"] = [{"name": party.name, "code": party.code} for party in mention.targets]
    data["quantity"] = (
        None
        if mention.quantity is None
        else {"value": mention.quantity.value, "unit": mention.quantity.unit, "text": mention.quantity.text}
    )
    data["span"] = list(mention.span)
    return data


def _read_document(
    path: str, lang: str, clean: CleanSettings
) -> tuple[str, str, list[tuple[int, int]] | None]:
    """Text, language and (for HTML, from the clean stage) sentence spans of one input."""
    content = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    if path.lower().endswith((".html", ".htm")):
        article = article_from_document(content, path, clean)
        language = (
            lang if lang != "auto" else (article.language if article.language in ("ar", "en") else "auto")
        )
        return article.text, language, [(sentence.start, sentence.end) for sentence in article.sentences]
    return content, lang, None


@click.command("extract")
@click.argument("paths", nargs=-1, required=True)
@click.option("--lang", type=click.Choice(["auto", "ar", "en"]), default="auto", show_default=True)
@click.option(
    "--format", "output_format", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True
)
@click.pass_context
def extract_command(ctx: click.Context, paths: tuple[str, ...], lang: str, output_format: str) -> None:
    """Print the commitment and sanction events found in text or HTML files (`-` reads stdin)."""
    clean = ctx.obj.clean
    for path in paths:
        text, language, sentences = _read_document(path, lang, clean)
        for mention in extract_events(text, language, sentences):
            if output_format == "jsonl":
                click.echo(json.dumps({"path": path, **mention_to_json(mention)}, ensure_ascii=False))
            else:
                click.echo(_table_row(path, mention))


def _table_row(path: str, mention: EventMention) -> str:
    actors = ",".join(party.code for party in mention.actors) or "-"
    targets = ",".join(party.code for party in mention.targets) or "-"
    quantity = f"{mention.quantity.value:g} {mention.quantity.unit}" if mention.quantity else "-"
    sentence = " ".join(mention.sentence.split())
    return (
        f"{Path(path).name}\t{mention.type:<10} {mention.category:<20} {mention.status:<10} "
        f"{actors:<12} → {targets:<12} {quantity:<14} {mention.confidence:.2f}  {sentence[:120]}"
    )


def read_labelled(path: Path) -> Iterator[dict]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise click.ClickException(f"{path}:{number}: {error}") from error


def evaluate_file(path: Path) -> Report:
    """Run the engine over a labelled JSONL file and score it."""
    examples = []
    for item in read_labelled(path):
        predicted = [
            mention_to_json(mention) for mention in extract_events(item["text"], item.get("lang", "auto"))
        ]
        examples.append(
            Example(
                item.get("lang", "?"),
                item["text"],
                labelled_events(item["events"]),
                labelled_events(predicted),
            )
        )
    return score(examples)


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def eval_command(file: Path, as_json: bool) -> None:
    """Score the engine on FILE.jsonl: lines of {"lang", "text", "events": [{"type", "status", "actors"}]}."""
    report = evaluate_file(file)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    data = report.as_dict()
    click.echo(f"{'':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}")
    for section in ("by_type", "by_status", "by_language"):
        for key, counts in data[section].items():
            click.echo(
                f"{section[3:] + ':' + key:<14}{counts['precision']:>7.3f}{counts['recall']:>7.3f}"
                f"{counts['f1']:>7.3f}{counts['tp']:>6}{counts['fp']:>5}{counts['fn']:>5}"
            )
    overall = data["overall"]
    click.echo(
        f"{'overall':<14}{overall['precision']:>7.3f}{overall['recall']:>7.3f}{overall['f1']:>7.3f}"
        f"{overall['tp']:>6}{overall['fp']:>5}{overall['fn']:>5}"
    )
    click.echo(
        f"status accuracy {report.status_accuracy:.3f}, actor accuracy {report.actor_accuracy:.3f} "
        f"on {report.matched} matched events"
    )
    for title, items in (
        ("MISSES", report.misses),
        ("FALSE ALARMS", report.false_alarms),
        ("WRONG STATUS", report.wrong_status),
        ("WRONG ACTORS", report.wrong_actors),
    ):
        if items:
            click.echo(f"\n{title} ({len(items)})")
            for item in items:
                click.echo(
                    f"  [{item['lang']}] gold={item['gold']} predicted={item['predicted']}\n"
                    f"      {item['text'][:160]}"
                )
