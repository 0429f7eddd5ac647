"""The labelled real-news corpus: pointers into public news corpora, our labels, and the text they point at.

Owns the pointer format and materialisation. The repository holds no third-party text: each labelled
sentence is a pointer (repository, commit, file, zip member, article, field, character span, sha256 of the
sentence) plus our labels (`labelled/{ar,en}.jsonl`). `materialise` reads the sentences back from mirrors
fetched with the search tool's `fetch` (bare git directories named `<owner>+<name>/repo`) and checks each
against its hash. CI has no mirrors: what needs them skips; the trained model is committed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import subprocess
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LOGGER = logging.getLogger(__name__)

LABELLED_DIR = Path(__file__).resolve().parent / "labelled"
DEFAULT_MIRRORS = Path("/work/.mirror")


class MirrorMissing(Exception):
    """A pointer's repository has not been fetched."""


class PointerMismatch(Exception):
    """A pointer's span no longer holds the sentence that was labelled."""


@dataclass(frozen=True)
class Pointer:
    id: str
    lang: str
    repo: str  # owner/name
    commit: str
    path: str
    member: str | None  # the file inside a zip archive, if `path` is one
    article: int  # index of the article in the JSON array or CSV rows
    field: str  # the article's text field the span refers to
    start: int
    end: int
    sha256: str
    split: str  # "dev" (tuned on) or "test" (scored rarely, never read while tuning)
    outlet: str | None = None

    @property
    def group(self) -> str:
        """The article: one article's sentences are never split between dev and test, or between folds."""
        return f"{self.repo}:{self.path}:{self.member}:{self.article}"


@dataclass(frozen=True)
class LabelledSentence:
    pointer: Pointer
    events: tuple[dict, ...]
    text: str | None = field(default=None, compare=False)


def read_labelled(path: Path) -> list[LabelledSentence]:
    """One pointer set: JSON lines of the pointer's fields plus `events`."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        try:
            events = tuple(record.pop("events"))
            items.append(LabelledSentence(Pointer(**record), events))
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a labelled pointer ({error})") from error
    return items


def labelled_sets(directory: Path = LABELLED_DIR) -> list[LabelledSentence]:
    return [item for path in sorted(directory.glob("*.jsonl")) for item in read_labelled(path)]


def mirror_of(repo: str, mirrors: Path) -> Path:
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise MirrorMissing(
            f"no mirror of {repo} under {mirrors}: fetch github:{repo} with the search tool's fetch first"
        )
    return git_dir


@lru_cache(maxsize=64)
def _articles(git_dir: Path, commit: str, path: str, member: str | None) -> tuple[dict, ...]:
    blob = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], capture_output=True, check=True
    ).stdout
    name = path
    if member is not None:
        blob, name = zipfile.ZipFile(io.BytesIO(blob)).read(member), member
    return parse_articles(blob.decode("utf-8"), name)


def article_record(
    repo: str, commit: str, path: str, member: str | None, index: int, mirrors: Path = DEFAULT_MIRRORS
) -> dict:
    """One article of a corpus file (a CSV row or a JSON object) at a commit of a fetched mirror."""
    return _articles(mirror_of(repo, mirrors), commit, path, member)[index]


def parse_articles(text: str, name: str) -> tuple[dict, ...]:
    """The articles of one corpus file: CSV rows, or a JSON array, or a JSON object holding the array under
    `entries` (the RSS link databases); any other file is one plain-text article under `text` (BBC Arabic's
    `.txt` files, the Reuters files of 2006-13, which have no extension)."""
    if name.endswith(".csv"):
        return tuple(csv.DictReader(io.StringIO(text)))
    if not name.endswith(".json"):
        return ({"text": text},)
    data = json.loads(text)
    return tuple(data["entries"] if isinstance(data, dict) else data)


def materialise(
    items: Iterable[LabelledSentence], mirrors: Path = DEFAULT_MIRRORS
) -> Iterator[LabelledSentence]:
    """Each item with its sentence read from the mirrors, checked against the pointer's hash."""
    for item in items:
        pointer = item.pointer
        article = _articles(mirror_of(pointer.repo, mirrors), pointer.commit, pointer.path, pointer.member)
        sentence = article[pointer.article][pointer.field][pointer.start : pointer.end]
        if hashlib.sha256(sentence.encode("utf-8")).hexdigest() != pointer.sha256:
            raise PointerMismatch(f"{pointer.id}: the span no longer holds the labelled sentence")
        yield LabelledSentence(pointer, item.events, sentence)
