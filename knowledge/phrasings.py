"""The entries' own phrasings as one sparse matrix, scored against a question.

A question is scored against each phrasing (an entry's questions, and its hints at a discount)
by idf-weighted fuzzy token overlap in both directions: recall, how much of the question the
phrasing explains, and precision, how much of the phrasing the question asks for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge.entry import Entry
from knowledge.retrieval import MIN_SIMILARITY
from knowledge.rules import Score
from knowledge.sparse import Compressed
from knowledge.text import Vocabulary, normalise

# Bare names and duty sentences ("hvem opdaterer KITOS") match, but a real question wins.
HINT_FACTOR = 0.9


class PhrasingIndex:
    """Every entry's normalised phrasings (phrasing × vocabulary token, idf weights)."""

    def __init__(self, entries: Sequence[Entry], not_parts: frozenset[str]) -> None:
        self.not_parts = not_parts
        raw: list[tuple[int, tuple[str, ...], float]] = []
        docs: list[set[str]] = []
        for i, entry in enumerate(entries):
            seen: set[tuple[str, ...]] = set()
            tokens_of_entry: set[str] = set()
            full = ((q, 1.0) for q in (*entry.questions_da, *entry.questions_en))
            hints = ((q, HINT_FACTOR) for q in (*entry.hints_da, *entry.hints_en))
            for question, factor in (*full, *hints):
                tokens = tuple(dict.fromkeys(normalise(question)))
                if tokens and tokens not in seen:
                    seen.add(tokens)
                    raw.append((i, tokens, factor))
                    tokens_of_entry.update(tokens)
            docs.append(tokens_of_entry)
        self.vocabulary = Vocabulary(docs)
        # The phrasings as a sparse matrix (phrasing × vocabulary token, idf weights), so that a
        # question is scored against all of them with a few array operations.
        columns = {t: n for n, t in enumerate(self.vocabulary.tokens)}
        rows, cols, weights = [], [], []
        for n, (_, tokens, _) in enumerate(raw):
            for token in tokens:
                rows.append(n)
                cols.append(columns[token])
                weights.append(self.vocabulary.weight(token))
        self._columns = columns
        self._weights = Compressed.of(rows, cols, weights, len(raw))
        self._by_column = Compressed.of(cols, rows, weights, len(columns))
        self._weight_sum: np.ndarray = self._weights.line_sums()
        self._factor = np.array([factor for _, _, factor in raw])
        self._entry_of = np.array([entry for entry, _, _ in raw], dtype=np.int64)

    def rank(self, text: str, limit: int | None = None) -> list[Score]:
        """Entries scored against `text`, best first (one score per entry; the `limit` best).

        A phrasing's score is the F1 of its idf-weighted fuzzy recall (how much of the question
        it explains) and precision (how much of it the question asks for).
        """
        vocab = self.vocabulary
        words: list[str] = []
        for token in normalise(text):
            near = vocab.neighbours(token)
            parts = vocab.split(token, self.not_parts) if not near or near[0][1] < 0.8 else None
            weak = not near or near[0][1] < MIN_SIMILARITY
            # An unknown compound counts as its kind and, still, as a word the pack lacks.
            head = vocab.head(token) if weak and not parts else None
            words.extend(parts or ((head, token) if head else (token,)))
        query = tuple(dict.fromkeys(words))
        if not query:
            return []
        weights = np.array([vocab.query_weight(q) for q in query])
        total = weights.sum()
        by_column = self._by_column
        explained = np.zeros((self._weights.lines, len(query)))
        # Per vocabulary column: the best similarity to any query word (for precision).
        covered = np.zeros(self._by_column.lines)
        for i, q in enumerate(query):
            column = explained[:, i]
            for token, similarity in vocab.neighbours(q):
                c = self._columns[token]
                found = by_column.indices[by_column.indptr[c] : by_column.indptr[c + 1]]
                column[found] = np.maximum(column[found], similarity)
                if similarity > covered[c]:
                    covered[c] = similarity
        recall = explained @ weights / total
        candidates = np.flatnonzero(recall > 0)
        if not len(candidates):
            return []
        recall = recall[candidates]
        precision = self._weights.dot(covered)[candidates] / self._weight_sum[candidates]
        score = self._factor[candidates] * 2 * recall * precision / (recall + precision)
        entries = self._entry_of[candidates]
        # The best phrasing per entry: by score, then recall, then precision.
        order = np.lexsort((-precision, -recall, -score, entries))
        first = np.ones(len(order), dtype=bool)
        first[1:] = entries[order][1:] != entries[order][:-1]
        best = order[first]
        # Sums taken in another order differ in the last bits; equal scores go by entry.
        tie = np.round(score[best], 12)
        best = best[np.lexsort((entries[best], -np.round(recall[best], 12), -tie))][:limit]
        return [
            Score(int(entries[n]), float(score[n]), float(recall[n]), float(precision[n]))
            for n in best
        ]
