"""When an answer is sure enough: a small logistic model over the scores the matchers compute.

Each candidate entry of a question (the best few by phrasing and by passage) is described by
the same handful of numbers: its phrasing score, recall and lead, its best passage's coverage,
own share, BM25 share and lead, the mean of both, how much of the question the pack has no word
for, whether the earlier hand-set rules would have answered it, and whether the entry is of
the kind the question's shape asks for (knowledge.rules.shape_fits). A logistic model turns them
into the chance that the entry's answer is right; the engine answers the most likely candidate
when that chance clears `threshold`, chosen on out-of-fold probabilities (models that did not
see the question) so that a confident wrong answer costs as much as 25 right ones.

The weights live in `confidence.json` beside this module and are refitted with
`python -m knowledge.confidence --dir tests/knowledge/dev --dir tests/knowledge/dev2 --dir
tests/knowledge/dev3 --dir tests/knowledge/dev4` on the quality cases, every entry's own
questions and those dev sets, each dev question matched without its own set's paraphrases; the
held-out sets are never used (nor dev5 and later, whose expected strings are spelt too unlike
the packs' facts to fit on; their questions serve as paraphrases).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

FEATURES = (
    "phrasing",
    "phrasing_lead",
    "phrasing_sure",
    "coverage",
    "own",
    "coverage_own",
    "passage_lead",
    "coverage_lead",
    "bm25_share",
    "unmatched",
    "fuzzy_only",
    "rules",
    "top_both",
    "number_missing",
    "matched_words",
    "unmatched_words",
    "shape_fits",
)
MODEL_FILE = "confidence.json"


@dataclass(frozen=True, slots=True)
class ConfidenceModel:
    """Logistic weights over `FEATURES`, a bias, and the fitted answer threshold."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: tuple[float, ...]) -> float:
        """The model's chance that a candidate with these features is the right answer."""
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_model() -> ConfidenceModel | None:
    """The committed model, or None when none has been fitted (the hand-set rules apply)."""
    path = resources.files("knowledge").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        return None
    return ConfidenceModel(tuple(data["weights"]), float(data["bias"]), float(data["threshold"]))


# --- fitting (a development tool: `python -m knowledge.confidence --dir DEV --dir DEV2`) -----


@dataclass(frozen=True, slots=True)
class _Question:
    pack: str
    text: str
    language: str | None
    expect: tuple[str, ...] = ()  # strings one of which the answer text must contain
    entry_id: str | None = None  # or the entry that must answer
    weight: float = 1.0
    origin: str | None = None  # the dev set it comes from: its paraphrases are left out


def _questions(directories: list[str], cases: str | None) -> list[_Question]:
    """Every question to fit on: the dev sets, the quality cases, each entry's own questions."""
    import importlib
    from pathlib import Path

    from knowledge.answers import knowledge_index
    from knowledge.evaluation import load_items
    from knowledge.packs import available_packs, load_pack

    out: list[_Question] = []
    for directory in directories:
        origin = Path(directory).name
        for item in load_items(Path(directory)):
            for pack in [item.pack] if item.pack else available_packs():
                out.append(
                    _Question(pack, item.question, item.language, item.expect, origin=origin)
                )
    if cases:
        module = importlib.import_module(cases)
        out += [_Question(p, q, None, entry_id=e) for p, q, e in module.IN_SCOPE]
        out += [_Question(p, q, None) for p, q in module.OUT_OF_SCOPE]
    for pack in available_packs():
        for entry in knowledge_index(load_pack(pack)).entries:
            for lang in ("da", "en"):
                question = entry.question(lang)
                out.append(_Question(pack, question, lang, entry_id=entry.id, weight=0.3))
    return out


def _rows(questions: list[_Question]) -> list[tuple[int, tuple[float, ...], bool, float]]:
    """(question number, features, right, weight) for every candidate of every question."""
    from knowledge.answers import KnowledgeIndex
    from knowledge.evaluation import answer_states
    from knowledge.packs import load_pack
    from knowledge.rules import REQUEST
    from knowledge.text import detect_language

    # A dev question is matched without its own set's paraphrases (knowledge.paraphrases), as
    # a new question would be.
    indexes: dict[tuple[str, str | None], KnowledgeIndex] = {}
    rows = []
    for n, q in enumerate(questions):
        index = indexes.get((q.pack, q.origin))
        if index is None:
            excluded = frozenset({q.origin}) if q.origin else frozenset()
            index = indexes[q.pack, q.origin] = KnowledgeIndex(
                load_pack(q.pack), excluded_sets=excluded
            )
            index.model = None
        if REQUEST.search(q.text):
            continue
        lang = q.language or detect_language(q.text)
        candidates, hits = index.weighed(q.text)
        for c in candidates:
            if q.entry_id is not None:
                right = index.entries[c.entry].id == q.entry_id
            elif q.expect:
                right = answer_states(index, q.text, lang, c.entry, hits, q.expect)  # type: ignore[arg-type]
            else:
                right = False
            rows.append((n, c.features, right, q.weight))
    return rows


def _best(
    rows: list[tuple[int, tuple[float, ...], bool, float]], p: object
) -> dict[int, tuple[float, bool]]:
    """Per question: the probability of its most likely candidate and whether that one is right."""
    best: dict[int, tuple[float, bool]] = {}
    for (n, _, right, _), prob in zip(rows, p, strict=True):  # type: ignore[call-overload]
        if n not in best or prob > best[n][0]:
            best[n] = (float(prob), right)
    return best


def _threshold(rows: list[tuple[int, tuple[float, ...], bool, float]], p: object) -> float:
    """The threshold that answers most questions when a wrong answer costs 25 right ones.

    One stray question must not silence every answer, so a wrong one is outweighed only by
    many right ones above it.
    """
    gain, top_gain, threshold = 0, 0, 1.0
    for prob, right in sorted(_best(rows, p).values(), reverse=True):
        gain += 1 if right else -25
        if gain > top_gain:
            top_gain, threshold = gain, prob
    return threshold - 1e-6


def fit(directories: list[str], cases: str | None) -> dict[str, object]:
    """Fit the weights and the threshold; return the model as it is written to disk."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    questions = _questions(directories, cases)
    rows = _rows(questions)
    x = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows])
    w = np.array([r[3] for r in rows])
    groups = np.array([r[0] for r in rows])
    model = LogisticRegression(C=3.0, max_iter=5000).fit(x, y, sample_weight=w)
    # The threshold is chosen on probabilities from models that did not see the question
    # (5 folds by question): on its own fitting data a model is surer than on new questions.
    p = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        fold = LogisticRegression(C=3.0, max_iter=5000).fit(
            x[train], y[train], sample_weight=w[train]
        )
        p[test] = fold.predict_proba(x[test])[:, 1]
    # Out of fold the threshold holds on new questions; on the fitting data the final model must
    # also answer none of them wrongly (it is surer there), so the higher of the two is used.
    threshold = max(0.5, _threshold(rows, p), _threshold(rows, model.predict_proba(x)[:, 1]))
    best = _best(rows, p)
    answered = sum(1 for prob, right in best.values() if right and prob >= threshold)
    in_scope = sum(1 for q in questions if q.expect or q.entry_id)
    print(f"{len(rows)} candidates of {len(questions)} questions; threshold {threshold:.3f}")
    missed = sum(1 for prob, right in best.values() if not right and prob >= threshold)
    print(f"right and confident, out of fold: {answered}/{in_scope}, wrong {missed}")
    return {
        "features": list(FEATURES),
        "weights": [round(float(v), 5) for v in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 5),
        "threshold": round(threshold, 4),
    }


def main() -> None:
    """Refit the model on the given dev sets and quality cases and write `confidence.json`."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--dir", action="append", default=[], help="a dev question set folder")
    parser.add_argument("--cases", default="tests.knowledge.quality_cases")
    args = parser.parse_args()
    data = fit(args.dir, args.cases)
    path = Path(__file__).with_name(MODEL_FILE)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
