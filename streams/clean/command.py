"""`newsmon clean PATH... [--format json|text]`: run the clean stage offline on HTML or text files (`-` for
stdin) and print each Article — to see what the stage keeps, drops and dates, without Kafka."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from newsmon.streams.clean.logic import CleanError, article_from_document

from newsmon.records import Article
from newsmon.settings.clean import CleanSettings

LOGGER = logging.getLogger(__name__)


@click.command("clean")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format", "output_format", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@click.pass_context
def clean_command(ctx: click.Context, paths: tuple[str, ...], output_format: str) -> None:
    """Clean HTML or text files (or - for stdin) with the clean stage and print the Articles."""
    settings: CleanSettings = ctx.obj.clean
    failed = False
    for path in paths:
        try:
            content = sys.stdin.read() if path == "-" else _read(Path(path))
            article = article_from_document(content, path, settings)
        except (OSError, CleanError) as exc:
            reason = getattr(exc, "reason", "unreadable")
            click.echo(f"{path}: {reason}: {exc}", err=True)
            failed = True
            continue
        click.echo(_as_json(article) if output_format == "json" else _as_text(path, article))
    if failed:
        ctx.exit(1)


def _read(path: Path) -> str:
    # Undecodable bytes become U+FFFD, so binary files are rejected by the stage ("binary") like on the wire.
    return path.read_bytes().decode("utf-8", errors="replace")


def _as_json(article: Article) -> str:
    sentences = [
        {"start": s.start, "end": s.end, "text": article.text[s.start : s.end]} for s in article.sentences
    ]
    view = {
        "article_id": article.article_id,
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "author": article.author,
        "published_at": article.published_at.isoformat(),
        "published_source": article.published_source,
        "language": article.language,
        "direction": article.direction,
        "flags": article.flags,
        "word_count": article.word_count,
        "text_hash": article.text_hash,
        "paragraphs": article.paragraphs,
        "sentences": sentences,
        "removed_boilerplate": article.removed_boilerplate,
    }
    return json.dumps(view, ensure_ascii=False, indent=2)


def _as_text(path: str, article: Article) -> str:
    header = [
        f"# {path}",
        f"title: {article.title or '-'}",
        f"published: {article.published_at.isoformat()} ({article.published_source})",
        f"language: {article.language} ({article.direction})  words: {article.word_count}  "
        f"flags: {', '.join(article.flags) or '-'}",
        "",
    ]
    removed = [
        "",
        f"-- removed boilerplate ({len(article.removed_boilerplate)}):",
        *(f"   {line}" for line in article.removed_boilerplate),
    ]
    return "\n".join([*header, article.text, *removed])
