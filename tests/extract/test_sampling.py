"""The sampling recipe of the labelled sets: sentence spans, the per-article cap, merging labels."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random

import pytest
from newsmon.streams.extract import realtext, sampling

EN_TEXT = (
    "Short one. The European Union imposed new sanctions on Belarus on Tuesday, officials said. "
    '"We will send troops to the region," the minister told reporters in London.\n\n'
    "The US pledged $50m in aid to Sudan after talks with the UN in New York"
)
AR_TEXT = (
    "قصير. أعلنت المملكة العربية السعودية تقديم مساعدات إنسانية لليمن بقيمة مليار دولار؟ "
    "وقال الوزير إن الحكومة ستدرس الأمر خلال الأيام المقبلة\nسطر"
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_english_spans_are_trimmed_sentences_of_40_to_400_characters():
    spans = list(sampling.sentence_spans(EN_TEXT, "en"))
    assert [EN_TEXT[start:end] for start, end in spans] == [
        "The European Union imposed new sanctions on Belarus on Tuesday, officials said.",
        '"We will send troops to the region," the minister told reporters in London.',
        "The US pledged $50m in aid to Sudan after talks with the UN in New York",
    ]


def test_arabic_spans_end_at_arabic_question_marks_and_line_breaks():
    sentences = [AR_TEXT[start:end] for start, end in sampling.sentence_spans(AR_TEXT, "ar")]
    assert sentences == [
        "أعلنت المملكة العربية السعودية تقديم مساعدات إنسانية لليمن بقيمة مليار دولار؟",
        "وقال الوزير إن الحكومة ستدرس الأمر خلال الأيام المقبلة",
    ]


def test_filters_need_a_party_and_for_phrase_draws_an_event_phrase():
    assert sampling.qualifies("en", "broad", "The minister met farmers in London on Monday.")
    assert not sampling.qualifies("en", "phrase", "The minister met farmers in London on Monday.")
    assert sampling.qualifies("en", "phrase", "Washington threatened new sanctions against Iran.")
    assert not sampling.qualifies("en", "phrase", "the committee discussed sanctions at length.")
    # Arabic alef forms are folded on both sides: إرسال in the phrase list matches ارسال in a sentence.
    assert sampling.qualifies("ar", "phrase", "قررت تركيا ارسال قوات الى قطر")
    assert not sampling.qualifies("ar", "phrase", "زار الوزير المعرض في الرياض")


def _candidate(article: int, start: int, repo: str = "o/n") -> sampling.Candidate:
    text = f"sentence {article}/{start}"
    return sampling.Candidate(
        lang="en",
        repo=repo,
        commit="c" * 40,
        path="data.csv",
        member=None,
        article=article,
        field="text",
        start=start,
        end=start + len(text),
        sha256=_sha(text),
        outlet="bbc",
        text=text,
    )


def _pointer(candidate: sampling.Candidate, number: int) -> realtext.Pointer:
    fields = {name: value for name, value in dataclasses.asdict(candidate).items() if name != "text"}
    return realtext.Pointer(id=f"en-{number:05d}", split="dev", **fields)


def test_selection_caps_articles_at_three_counting_labelled_sentences_and_skips_labelled_ones():
    pool = [_candidate(article, start) for article in (1, 2, 3) for start in range(0, 500, 100)]
    labelled = [_pointer(_candidate(1, 0), 1), _pointer(_candidate(1, 100), 2), _pointer(_candidate(2, 0), 3)]
    chosen = sampling.select(pool, labelled, 100, random.Random(5))
    keys = {candidate.sentence_key for candidate in chosen}
    assert not keys & {(p.repo, p.path, p.article, p.start) for p in labelled}
    per_article = {article: sum(1 for c in chosen if c.article == article) for article in (1, 2, 3)}
    assert per_article == {1: 1, 2: 2, 3: 3}
    # Another repository's article with the same path and index is another article.
    assert len(sampling.select([_candidate(1, 400, repo="x/y")], labelled, 100, random.Random(5))) == 1


def test_selection_is_seeded_and_stops_at_the_count():
    pool = [_candidate(article, 0) for article in range(50)]
    first = sampling.select(pool, [], 10, random.Random(7))
    assert len(first) == 10 and first == sampling.select(pool, [], 10, random.Random(7))
    assert first != sampling.select(pool, [], 10, random.Random(8))


def _line(candidate: sampling.Candidate, events: list[dict]) -> tuple[str, dict]:
    return (f"batch:{candidate.article}", {**dataclasses.asdict(candidate), "events": events})


EXISTING = [{"id": "en-00600", "repo": "o/n", "path": "data.csv", "article": 900, "start": 0}]
SANCTION = {"type": "sanction", "status": "announced", "actors": ["USA", "EU", "USA"], "trigger": "imposed"}


def test_merge_numbers_after_the_last_id_splits_by_article_and_drops_text_and_triggers():
    lines = [_line(_candidate(article, 0), [SANCTION]) for article in range(40)]
    lines.insert(3, ("batch:skip", {**lines[0][1], "start": 7, "skip": True, "why": "garbled"}))
    records, skipped = sampling.merge_records("en", lines, EXISTING)
    assert skipped == 1 and len(records) == 40
    assert [r["id"] for r in records[:2]] == ["en-00601", "en-00602"] and records[-1]["id"] == "en-00640"
    assert list(records[0]) == [
        "id", "lang", "repo", "commit", "path", "member", "article", "field", "start", "end", "sha256",
        "split", "outlet", "events",
    ]  # fmt: skip
    assert records[0]["events"] == [
        {"type": "sanction", "status": "announced", "actors": ["EU", "USA"], "targets": []}
    ]
    for record in records:
        digest = hashlib.sha256(f"o/n:data.csv:{record['article']}".encode()).hexdigest()
        assert record["split"] == ("test" if int(digest, 16) % 10 < 3 else "dev")
    assert {r["split"] for r in records} == {"dev", "test"}
    # The same article always gets the same split.
    assert sampling.split_of("o/n", "data.csv", 4) == sampling.split_of("o/n", "data.csv", 4)


def test_merge_refuses_a_text_that_does_not_match_its_sha256():
    where, line = _line(_candidate(1, 0), [])
    with pytest.raises(sampling.MergeRefused, match="sha256"):
        sampling.merge_records("en", [(where, {**line, "text": line["text"] + "!"})], EXISTING)


@pytest.mark.parametrize(
    "events",
    [
        {"type": "sanction"},
        [{"type": "sanctions", "status": "announced", "actors": []}],
        [{"type": "sanction", "status": "imposed", "actors": []}],
        [{"type": "sanction", "status": "announced"}],
        [{"type": "sanction", "status": "announced", "actor": ["USA"]}],
        [{"type": "sanction", "status": "announced", "actors": "USA"}],
        [{"type": "sanction", "status": "announced", "actors": ["usa"]}],
    ],
)
def test_merge_refuses_malformed_events(events):
    with pytest.raises(sampling.MergeRefused):
        sampling.merge_records("en", [_line(_candidate(1, 0), events)], EXISTING)


def test_merge_refuses_sentences_already_labelled_and_other_languages():
    with pytest.raises(sampling.MergeRefused, match="already labelled"):
        sampling.merge_records("en", [_line(_candidate(900, 0), [])], EXISTING)
    with pytest.raises(sampling.MergeRefused, match="merge into ar"):
        sampling.merge_records("ar", [_line(_candidate(1, 0), [])], [])


def test_merge_appends_all_or_nothing(tmp_path):
    labelled = tmp_path / "en.jsonl"
    labelled.write_text(json.dumps(EXISTING[0]) + "\n", encoding="utf-8")
    good, bad = _line(_candidate(1, 0), [])[1], _line(_candidate(2, 0), [{"type": "sanction"}])[1]
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(sampling.MergeRefused, match="batch.jsonl:2"):
        sampling.merge("en", [batch], labelled)
    assert labelled.read_text(encoding="utf-8").count("\n") == 1
    batch.write_text(json.dumps(good) + "\n", encoding="utf-8")
    sampling.merge("en", [batch], labelled)
    added = json.loads(labelled.read_text(encoding="utf-8").splitlines()[1])
    assert added["id"] == "en-00601" and "text" not in added


def test_batches_hold_the_pointer_fields_and_the_text(tmp_path):
    chosen = [_candidate(article, 0) for article in range(5)]
    paths = sampling.write_batches(chosen, tmp_path, "en-phrase-1", 2)
    assert [path.name for path in paths] == [
        "en-phrase-1-01.jsonl",
        "en-phrase-1-02.jsonl",
        "en-phrase-1-03.jsonl",
    ]
    first = json.loads(paths[0].read_text(encoding="utf-8").splitlines()[0])
    assert first == dataclasses.asdict(chosen[0]) and list(first)[-1] == "text"


# A made-up FNC-1 bodies file: a header, a body spanning lines, a body without a qualifying sentence.
FNC1_CSV = (
    "Body ID,articleBody\n"
    '0,"Short one. The EU imposed new sanctions on Belarus on Tuesday, officials said.\n\n'
    'Britain pledged $10m in aid to Sudan, the minister told reporters."\n'
    "4,A cat was seen on a roof in a small village for three days in a row.\n"
)


def test_fnc1_reader_gives_rows_as_articles_with_spans_into_article_body():
    found = list(sampling._fnc1_candidates("c" * 40, "train_bodies.csv", FNC1_CSV))
    assert [(c.article, c.text) for c in found] == [
        (0, "The EU imposed new sanctions on Belarus on Tuesday, officials said."),
        (0, "Britain pledged $10m in aid to Sudan, the minister told reporters."),
        (1, "A cat was seen on a roof in a small village for three days in a row."),
    ]
    first = found[0]
    assert (first.repo, first.commit, first.path, first.member) == (
        sampling.FNC1_REPO,
        "c" * 40,
        "train_bodies.csv",
        None,
    )
    assert first.field == "articleBody" and first.outlet == "unknown" and first.lang == "en"
    body = FNC1_CSV.split('"')[1]
    assert body[first.start : first.end] == first.text and first.sha256 == _sha(first.text)
    assert [c.text for c in found if sampling.qualifies("en", "phrase", c.text)] == [
        found[0].text,
        found[1].text,
    ]


def test_sentences_handed_out_in_batches_are_not_drawn_again_and_count_per_article(tmp_path):
    given = [_candidate(1, 0), _candidate(1, 100), _candidate(1, 200)]
    paths = sampling.write_batches(given, tmp_path, "en-phrase-1", 10)
    labelled_batch = paths[0].with_name("labelled.jsonl")
    labelled_batch.write_text(json.dumps({**dataclasses.asdict(given[0]), "events": []}) + "\n")
    handed_out = sampling.handed_out([*paths, labelled_batch])
    assert handed_out[:3] == given
    pool = [_candidate(1, start) for start in range(0, 500, 100)] + [_candidate(2, 0)]
    assert sampling.select(pool, handed_out, 100, random.Random(3)) == [_candidate(2, 0)]


def test_a_draw_into_a_folder_keeps_out_the_batches_of_its_language_already_there(tmp_path):
    english = sampling.write_batches([_candidate(1, 0)], tmp_path, "en-broad-1", 10)
    sampling.write_batches([_candidate(1, 0)], tmp_path, "ar-phrase-1", 10)
    assert sampling.earlier_batches(tmp_path, "en") == english
    assert sampling.earlier_batches(tmp_path / "new", "en") == []
