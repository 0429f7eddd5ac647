"""`newsmon dedup PATH...`: the dedup stage's logic offline on text/HTML files, groups printed as JSON lines
(`{"story_id", "members": [{"path", "duplicate_of", "similarity"}]}`); with `--eval FILE`, precision, recall
and F1 of its duplicate and story decisions on a labelled pair file (format: streams/dedup/evaluation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from newsmon.streams.clean.logic import CleanError, article_from_document
from newsmon.streams.dedup.evaluation import (
    evaluate,
    evaluate_by_kind,
    format_kinds,
    format_report,
    judge_pair,
    parse_pairs,
)
from newsmon.streams.dedup.logic import InMemoryDedup


@click.command("dedup")
@click.argument("paths", nargs=-1)
@click.option(
    "--eval",
    "eval_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score the duplicate and story decisions on a labelled pair file (JSON lines).",
)
@click.pass_context
def dedup_command(ctx: click.Context, paths: tuple[str, ...], eval_file: Path | None) -> None:
    """Deduplicate and cluster text or HTML files into stories, in the order given."""
    settings = ctx.obj
    if eval_file is not None:
        pairs = parse_pairs(eval_file.read_text(encoding="utf-8").splitlines())
        verdicts = [judge_pair(pair.a, pair.b, settings.clean, settings.dedup) for pair in pairs]
        click.echo(format_report(evaluate(pairs, verdicts)))
        for decision in ("duplicate", "story"):
            by_kind = evaluate_by_kind(pairs, verdicts, decision)
            if by_kind:
                click.echo(format_kinds(by_kind, decision))
    dedup = InMemoryDedup(settings.dedup)
    path_of: dict[str, str] = {}
    for path in paths:
        try:
            content = Path(path).read_bytes().decode("utf-8", errors="replace")
            article = article_from_document(content, path, settings.clean)
        except (OSError, CleanError) as exc:
            click.echo(f"{path}: {getattr(exc, 'reason', 'unreadable')}: {exc}", err=True)
            continue
        path_of[article.article_id] = path
        dedup.add(article, now=0.0)
    groups: dict[str, list[dict[str, object]]] = {}
    for article in dedup.deduped:
        groups.setdefault(article.dedup.story_id, []).append(
            {
                "path": path_of.get(article.article_id),
                "duplicate_of": path_of.get(article.dedup.duplicate_of),
                "similarity": article.dedup.similarity,
            }
        )
    for story_id, members in groups.items():
        click.echo(json.dumps({"story_id": story_id, "members": members}, ensure_ascii=False))
