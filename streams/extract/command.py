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
from newsmon.streams.alerts.summary import quantity_phrase
from newsmon.streams.clean.logic import article_from_document
from newsmon.streams.extract import realtext
from newsmon.streams.extract.engine import EventMention, extract_events
from newsmon.streams.extract.evaluation import Example, Report, labelled_events, score
from newsmon.streams.extract.model import MODEL_FILE

from newsmon.settings.clean import CleanSettings

LOGGER = logging.getLogger(__name__)
# The project's own sentences in the rules' phrasing: trained on beside the real corpus, never scored on
# (tests/extract/heldout.jsonl, written by the same hands, stays out of training).
WRITTEN_TRAINING_SET = Path(__file__).resolve().parents[2] / "tests" / "extract" / "devset.jsonl"


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
    if output_format == "table":
        click.echo(
            _table_line(
                "file", "type", "category", "status", "actors", "targets", "quantity", "conf", "sentence"
            )
        )
    for path in paths:
        text, language, sentences = _read_document(path, lang, clean)
        for mention in extract_events(text, language, sentences):
            if output_format == "jsonl":
                click.echo(json.dumps({"path": path, **mention_to_json(mention)}, ensure_ascii=False))
            else:
                click.echo(_table_row(path, mention))


def _table_line(*cells: str) -> str:
    """One line of the table: the file name, then fixed-width columns (the sentence last, cut)."""
    file, kind, category, status, actors, targets, quantity, confidence, sentence = cells
    return (
        f"{file}\t{kind:<10} {category:<21} {status:<10} {actors:<12} {targets:<12} {quantity:<18} "
        f"{confidence:<5} {sentence[:120]}"
    )


def _table_row(path: str, mention: EventMention) -> str:
    quantity = mention.quantity
    return _table_line(
        Path(path).name,
        mention.type,
        mention.category,
        mention.status,
        ",".join(party.code for party in mention.actors) or "-",
        ",".join(party.code for party in mention.targets) or "-",
        quantity_phrase(quantity.value, quantity.unit) if quantity else "-",
        f"{mention.confidence:.2f}",
        " ".join(mention.sentence.split()),
    )


def read_labelled(path: Path) -> Iterator[dict]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise click.ClickException(f"{path}:{number}: {error}") from error


def labelled_texts(path: Path, mirrors: Path, split: str | None) -> Iterator[dict]:
    """{"lang", "text", "events"} items of a labelled file: inline texts, or a real-text pointer set
    (`labelled/*.jsonl`) read back from the mirrors."""
    items = list(read_labelled(path))
    if not items or "sha256" not in items[0]:
        yield from items
        return
    try:
        pointers = [
            item for item in realtext.read_labelled(path) if split is None or item.pointer.split == split
        ]
        for item in realtext.materialise(pointers, mirrors):
            yield {"lang": item.pointer.lang, "text": item.text, "events": list(item.events)}
    except (realtext.MirrorMissing, realtext.PointerMismatch) as error:
        raise click.ClickException(str(error)) from error


def evaluate_file(path: Path, mirrors: Path = realtext.DEFAULT_MIRRORS, split: str | None = None) -> Report:
    """Run the engine over a labelled JSONL file and score it."""
    examples = []
    for item in labelled_texts(path, mirrors, split):
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


# Where the fetched corpora are (the real-text pointer sets are read back from them).
mirrors_option = click.option(
    "--mirrors",
    type=click.Path(file_okay=False, path_type=Path),
    default=realtext.DEFAULT_MIRRORS,
    show_default=True,
    help="Where the fetched corpora are (bare git mirrors, <owner>+<name>/repo).",
)


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@mirrors_option
@click.option("--split", type=click.Choice(["dev", "test"]), help="Only this part of a pointer set.")
def eval_command(file: Path, as_json: bool, mirrors: Path, split: str | None) -> None:
    """Score the engine on FILE.jsonl: lines of {"lang", "text", "events": [{"type", "status", "actors"}]},
    or a real-text pointer set (streams/extract/labelled/*.jsonl) read from the fetched corpora."""
    report = evaluate_file(file, mirrors, split)
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
    click.echo(
        "error causes: " + ", ".join(f"{cause} {count}" for cause, count in report.error_causes.most_common())
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


@click.command("train")
@mirrors_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=MODEL_FILE, show_default=True)
def train_command(mirrors: Path, out: Path) -> None:
    """Train the sentence model on the dev part of the real-text corpus (needs the `train` extra and the
    fetched corpora; the test part is never read)."""
    from newsmon.streams.extract.training import TrainingItem, train

    try:
        dev = [item for item in realtext.labelled_sets() if item.pointer.split == "dev"]
        items = [
            TrainingItem(item.pointer.lang, item.text or "", item.events, item.pointer.group)
            for item in realtext.materialise(dev, mirrors)
        ]
    except (realtext.MirrorMissing, realtext.PointerMismatch) as error:
        raise click.ClickException(str(error)) from error
    written = [
        TrainingItem(record.get("lang", "en"), record["text"], tuple(record["events"]), f"written:{number}")
        for number, record in enumerate(read_labelled(WRITTEN_TRAINING_SET))
    ]
    click.echo(
        f"{len(items)} real dev sentences, {sum(bool(item.events) for item in items)} with events; "
        f"{len(written)} written sentences"
    )
    model = train(items, click.echo, written)
    model.save(out)
    click.echo(f"wrote {out}")
