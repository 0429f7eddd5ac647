"""From a deduplicated Article to Event records: the engine's mentions plus article provenance and
identity."""

from __future__ import annotations

from newsmon.streams.extract.article_context import complete_mentions
from newsmon.streams.extract.engine import extract_events

from newsmon.records import Article, ArticleRef, Event, event_key, stable_id
from newsmon.text.language import EXTRACTED_LANGUAGES

# One event sentence per extracted language, project-written: enough for the engine to load its lexicon, the
# gazetteer, the sentence model and the quantity patterns.
WARM_UP_SENTENCES = {
    "en": "Norway will give Kenya a grant of 40 million dollars to rebuild roads, the foreign ministry said.",
    "ar": "فرض الاتحاد الأوروبي يوم الخميس حزمة جديدة من العقوبات تشمل تجميد أصول عشرين شخصا.",
}


def article_events(article: Article) -> list[Event]:
    """Events of an original article, each completed from its title and other sentences (package number,
    targets, object, quantity: `article_context`); copies and unsupported languages give none (copies
    corroborate instead)."""
    if article.language not in EXTRACTED_LANGUAGES or "unsupported_language" in article.flags:
        return []
    if article.dedup is not None and article.dedup.duplicate_of is not None:
        return []
    spans = [(sentence.start, sentence.end) for sentence in article.sentences]
    ref = _article_ref(article)
    mentions = extract_events(article.text, lang=article.language, sentences=spans)
    return [
        Event(
            event_id=stable_id(article.article_id, mention.type, mention.category, *mention.span),
            event_key=event_key(mention.type, mention.category, mention.targets, mention.quantity),
            type=mention.type,
            category=mention.category,
            status=mention.status,
            actors=list(mention.actors),
            targets=list(mention.targets),
            object=mention.object,
            quantity=mention.quantity,
            condition=mention.condition,
            sentence=mention.sentence,
            span=mention.span,
            lang=mention.lang,
            confidence=mention.confidence,
            article=ref,
        )
        for mention in complete_mentions(mentions, article.text, spans, article.title, article.language)
    ]


def corroborating_events(original_events: list[Event], copy: Article) -> list[Event]:
    """The original's events as sightings in a copy: the same events (same key, same words), with the copy's
    outlet as their source, so the alert stage counts the copy as corroboration without extracting it
    again."""
    ref = _article_ref(copy)
    return [
        event.model_copy(
            update={
                "event_id": stable_id(copy.article_id, event.type, event.category, *event.span),
                "article": ref,
            }
        )
        for event in original_events
    ]


def _article_ref(article: Article) -> ArticleRef:
    return ArticleRef(
        article_id=article.article_id,
        url=article.url,
        outlet=article.outlet,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        story_id=article.dedup.story_id if article.dedup is not None else None,
    )


def warm_up() -> None:
    """Extract from one sentence per language, loading what the engine loads on its first article (~0.3 s): a
    pool process's warm-up (`StageRuntime.warm_pool_with`)."""
    for language, sentence in WARM_UP_SENTENCES.items():
        extract_events(sentence, lang=language)
