"""The text toolkit the stages share: normalisation (normalize.py), sentence splitting (sentences.py),
language identification and lists (language.py), and the phrase matcher with the gazetteer of parties
(phrases.py), for Arabic and English news. Part of the core: it imports no stage, and clean, dedup,
extract and alerts read text through it."""
