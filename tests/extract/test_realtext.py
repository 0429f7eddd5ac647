"""The real-text pointer sets: their format, and reading sentences back from a mirror checked by hash."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from newsmon.streams.extract import realtext

TYPES = ("commitment", "sanction")
STATUSES = ("announced", "proposed", "threatened", "called_for", "refused", "lifted")
ARTICLES = [{"content": "First sentence here. The EU imposed new sanctions on Tuesday."}]
SENTENCE = "The EU imposed new sanctions on Tuesday."


def _mirror(root: Path) -> tuple[Path, str]:
    """A bare mirror of owner/name holding one zip with one JSON array of articles, as fetch lays them."""
    work = root / "work"
    work.mkdir()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("day.json", json.dumps(ARTICLES))
    (work / "day.zip").write_bytes(archive.getvalue())
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "day.zip"], check=True)
    subprocess.run([*git, "commit", "-qm", "day"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout
    mirrors = root / "mirrors"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(mirrors / "owner+name" / "repo")], check=True
    )
    return mirrors, commit.strip()


def _item(commit: str, sha256: str) -> realtext.LabelledSentence:
    start = ARTICLES[0]["content"].index(SENTENCE)
    pointer = realtext.Pointer(
        id="en-1",
        lang="en",
        repo="owner/name",
        commit=commit,
        path="day.zip",
        member="day.json",
        article=0,
        field="content",
        start=start,
        end=start + len(SENTENCE),
        sha256=sha256,
        split="dev",
    )
    return realtext.LabelledSentence(
        pointer, ({"type": "sanction", "status": "announced", "actors": ["EU"]},)
    )


def test_materialise_reads_the_span_back_from_the_mirror(tmp_path):
    mirrors, commit = _mirror(tmp_path)
    item = _item(commit, hashlib.sha256(SENTENCE.encode()).hexdigest())
    [read] = realtext.materialise([item], mirrors)
    assert read.text == SENTENCE and read.events == item.events


def test_a_changed_span_is_refused_by_its_hash(tmp_path):
    mirrors, commit = _mirror(tmp_path)
    with pytest.raises(realtext.PointerMismatch, match="en-1"):
        list(realtext.materialise([_item(commit, "0" * 64)], mirrors))


def test_a_missing_mirror_names_the_repository(tmp_path):
    with pytest.raises(realtext.MirrorMissing, match="owner/name"):
        list(realtext.materialise([_item("0" * 40, "0" * 64)], tmp_path))


@pytest.mark.parametrize("path", sorted(realtext.LABELLED_DIR.glob("*.jsonl")), ids=lambda p: p.name)
def test_committed_sets_hold_pointers_and_valid_labels_only(path):
    items = realtext.read_labelled(path)
    assert len(items) > 500
    assert len({item.pointer.id for item in items}) == len(items)
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert not any("text" in record or "trigger" in json.dumps(record) for record in raw), (
        "no third-party text"
    )
    for item in items:
        assert item.pointer.split in ("dev", "test") and item.pointer.lang == path.stem
        assert len(item.pointer.sha256) == 64 and item.pointer.end > item.pointer.start
        for event in item.events:
            assert event["type"] in TYPES and event["status"] in STATUSES
    # One article's sentences never straddle dev and test.
    splits: dict[str, set[str]] = {}
    for item in items:
        splits.setdefault(item.pointer.group, set()).add(item.pointer.split)
    assert all(len(found) == 1 for found in splits.values())


def test_committed_sets_read_back_when_the_corpora_are_fetched():
    items = realtext.labelled_sets()
    repos = {item.pointer.repo for item in items}
    missing = [
        repo for repo in repos if not (realtext.DEFAULT_MIRRORS / repo.replace("/", "+") / "repo").is_dir()
    ]
    if missing:
        pytest.skip(f"corpora not fetched here ({', '.join(sorted(missing))}); CI cannot fetch them")
    assert sum(1 for _ in realtext.materialise(items)) == len(items)


def test_json_articles_are_an_array_or_an_object_holding_entries():
    entries = [{"description": "One."}, {"description": "Two."}]
    assert realtext.parse_articles(json.dumps(entries), "day.json") == tuple(entries)
    assert realtext.parse_articles(json.dumps({"entries": entries}), "feed_entries.json") == tuple(entries)
    assert realtext.parse_articles("a,b\n1,2\n", "rows.csv") == ({"a": "1", "b": "2"},)


def test_a_file_neither_csv_nor_json_is_one_article_under_text():
    assert realtext.parse_articles("Title\nBody.\n", "world-1.txt") == ({"text": "Title\nBody.\n"},)
    assert realtext.parse_articles("[not json", "20061020/us-iran-idUS1") == ({"text": "[not json"},)
