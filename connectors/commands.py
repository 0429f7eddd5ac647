"""`newsmon feeds …` commands (a click group the newsmon CLI registers; `ctx.obj` is the Settings)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import click
from newsmon.connectors.opml import OpmlError, export_losses, export_opml, feeds_to_toml, import_opml
from newsmon.connectors.state import ConnectorState, feed_health

from newsmon.settings import Settings


@click.group("feeds")
def feeds_group() -> None:
    """Manage the connector's feeds."""


@feeds_group.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--write",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the new feeds to this TOML config file (feeds already in it are skipped).",
)
def import_command(opml_file: Path, config_file: Path | None) -> None:
    """Import feeds from an OPML file; prints `[[feeds]]` TOML unless --write is given."""
    try:
        feeds = import_opml(opml_file)
    except OpmlError as exc:
        raise click.ClickException(str(exc)) from exc
    if config_file is None:
        click.echo(feeds_to_toml(feeds), nl=False)
        return
    existing_text = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    try:
        known = {feed.get("url") for feed in tomllib.loads(existing_text).get("feeds", [])}
    except tomllib.TOMLDecodeError as exc:
        raise click.ClickException(f"{config_file} is not valid TOML: {exc}") from exc
    new = [feed for feed in feeds if feed.url not in known]
    if new:
        if existing_text and not existing_text.endswith("\n"):
            existing_text += "\n"
        separator = "\n" if existing_text else ""
        config_file.write_text(existing_text + separator + feeds_to_toml(new), encoding="utf-8")
    click.echo(f"{len(new)} feed(s) added to {config_file}, {len(feeds) - len(new)} already there")


@feeds_group.command("export")
@click.argument("output", default="-", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.pass_obj
def export_command(settings: Settings, output: Path) -> None:
    """Write the configured feeds as OPML to OUTPUT (default -, standard output); `feeds import` reads it."""
    document = export_opml(settings.feeds)
    to_stdout = str(output) == "-"
    if to_stdout:
        click.echo(document, nl=False)
    else:
        output.write_text(document, encoding="utf-8")
    # On stderr, so a piped export stays a valid OPML document.
    for loss in export_losses(settings.feeds):
        click.echo(f"not in the OPML: {loss}", err=True)
    if not to_stdout:
        click.echo(f"{len(settings.feeds)} feed(s) written to {output}", err=True)


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


@feeds_group.command("list")
@click.pass_obj
def list_command(settings: Settings) -> None:
    """Show each configured feed: last poll, last success, consecutive failures, health and last error.

    Health: pending (never polled), healthy (last poll succeeded), failing (failed lately, succeeded before),
    never_succeeded (polled, never succeeded), unhealthy (connector.unhealthy_after_failures failures in a
    row)."""
    state = ConnectorState(settings.state_dir)
    try:
        rows = []
        for feed in settings.feeds:
            current = state.feed(feed.url)
            rows.append(
                (
                    feed.name or "-",
                    feed.url,
                    _when(current.last_poll),
                    _when(current.last_success),
                    str(current.consecutive_failures),
                    feed_health(current, settings.connector.unhealthy_after_failures),
                    current.last_error or "",
                )
            )
    finally:
        state.close()
    header = ("NAME", "URL", "LAST POLL", "LAST SUCCESS", "FAILURES", "HEALTH", "LAST ERROR")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        )
