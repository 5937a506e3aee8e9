"""Other people's wording of a pack's questions: each dev-set question, kept as a phrasing of
the entry that answers it (`<pack>/paraphrases.yaml`).

An entry's own phrasings come from templates ("hvor tit mødes {name}"); the dev sets hold
questions written by people who read only the seed documents ("hvor mange gange om året
samles digi-styregruppen?"). Matched against those too, a new question in a stranger's words
more often finds its entry. They are training data, like an intent model's utterances: only
the dev sets are used, never a held-out set.

Each paraphrase names the set it came from, so that the confidence model is fitted on each
set's questions with that set's own paraphrases left out (knowledge.confidence): otherwise it
would learn that a question worded exactly like a phrasing is always right.

The files are written by `python -m knowledge.paraphrases --dir tests/knowledge/dev … --held-out
tests/knowledge/heldout --held-out tests/knowledge/fresh`, which asks each question of the pack
without any paraphrases and keeps it for the most likely entry whose answer states the expected
fact; a question no entry answers, or one that reads as a held-out question, is left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from knowledge.entry import Entry
from knowledge.schema_base import Key, Model, Text

if TYPE_CHECKING:
    from knowledge.answers import KnowledgeIndex

PARAPHRASES_FILE = "paraphrases.yaml"


class Paraphrase(Model):
    """One question in someone else's words, and the entry that answers it."""

    entry: Text
    q: Text
    lang: Literal["da", "en"]
    set: Key = Field(description="the dev set the question comes from")


def without_sets(
    paraphrases: Iterable[Paraphrase], excluded: frozenset[str]
) -> tuple[Paraphrase, ...]:
    """The paraphrases not taken from the `excluded` sets."""
    return tuple(p for p in paraphrases if p.set not in excluded)


def with_paraphrases(
    entries: Sequence[Entry], paraphrases: Iterable[Paraphrase], pack_key: str
) -> tuple[Entry, ...]:
    """`entries` with each paraphrase added after the entry's own questions (the first, shown
    on buttons, stays first); where an entry has no question in the paraphrase's language, it
    is added as a hint, so that it never becomes the question a button shows."""
    by_id = {e.id: n for n, e in enumerate(entries)}
    added: dict[int, dict[str, list[str]]] = {}
    for p in paraphrases:
        n = by_id.get(p.entry)
        if n is None:
            raise ValueError(f"{pack_key}/{PARAPHRASES_FILE}: ukendt entry {p.entry!r}")
        added.setdefault(n, {"da": [], "en": []})[p.lang].append(p.q)
    out = list(entries)
    for n, new in added.items():
        e = out[n]
        fields: dict[str, tuple[str, ...]] = {}
        for lang in ("da", "en"):
            questions: tuple[str, ...] = getattr(e, f"questions_{lang}")
            target = f"questions_{lang}" if questions else f"hints_{lang}"
            fields[target] = (*getattr(e, target), *new[lang])
        out[n] = dataclasses.replace(e, **fields)  # type: ignore[arg-type]
    return tuple(out)


# --- writing the files (a development tool) -------------------------------------------------


def answering_entry(
    index: KnowledgeIndex, question: str, lang: Literal["da", "en"], expect: Sequence[str]
) -> str | None:
    """The most likely candidate entry whose answer states one of `expect` (the first such,
    in the engine's candidate order, when the index has no model), if any.

    The fact must stand in what the question found of the entry (its passages among the hits),
    when it found any: "flere" somewhere in a long principle does not make the principle the
    answer to "kan flere fagchefområder dele en repræsentant?"."""
    from knowledge.evaluation import answer_states, states_expected

    candidates, hits = index.weighed(question)
    best = None
    for c in candidates:
        found_text = " ".join(h.passage.text for h in hits if h.passage.entry == c.entry)
        stated = answer_states(index, question, lang, c.entry, hits, expect) and (
            not found_text or states_expected(found_text, expect)
        )
        if stated and (best is None or c.probability > best[0]):
            best = (c.probability, index.entries[c.entry].id)
    return best[1] if best else None


def _label(directories: list[str], held_out: list[str]) -> dict[str, list[Paraphrase]]:
    """Per pack, each in-scope dev question with the entry that answers it, but for those that
    read as a held-out question once normalised ("hvem er formand for styregruppen" is in
    both): kept, they would answer those held-out questions by rote."""
    from pathlib import Path

    from knowledge.answers import KnowledgeIndex
    from knowledge.evaluation import load_items
    from knowledge.packs import load_pack
    from knowledge.text import detect_language, normalise

    unseen = {tuple(normalise(i.question)) for d in held_out for i in load_items(Path(d))}
    indexes: dict[str, KnowledgeIndex] = {}
    found: dict[str, list[Paraphrase]] = {}
    for directory in directories:
        name = Path(directory).name
        for item in load_items(Path(directory)):
            if not item.expect or not item.pack or tuple(normalise(item.question)) in unseen:
                continue
            index = indexes.get(item.pack)
            if index is None:
                index = indexes[item.pack] = KnowledgeIndex(
                    load_pack(item.pack), excluded_sets=None
                )
                # Without the fitted model every candidate is as likely, so the first that
                # states the fact (best by phrasing, then by passage) is taken: the labels do
                # not depend on the model they are later fitted into.
                index.model = None
            lang = item.language or detect_language(item.question)
            entry = answering_entry(index, item.question, lang, item.expect)
            if entry is not None:
                found.setdefault(item.pack, []).append(
                    Paraphrase(entry=entry, q=item.question, lang=lang, set=name)
                )
    return found


# Dropping paraphrases that take an entry's own question away stops after this many rounds.
MAX_ROUNDS = 20


def keeping_own_questions(pack_key: str, paraphrases: list[Paraphrase]) -> list[Paraphrase]:
    """`paraphrases` without those that take an entry's own question from it.

    "hvad kan it-afdelingen hjælpe med", labelled with the IT centre (its answer says so too),
    would answer the FAQ's own "Hvad kan It hjælpe med?" with the centre: each round drops, for
    every entry that no longer answers its canonical question, the other entries' paraphrase
    most like that question.
    """
    from knowledge.answers import KnowledgeIndex
    from knowledge.packs import load_pack
    from knowledge.text import similarity

    pack = load_pack(pack_key)
    kept = list(paraphrases)
    lost: list[tuple[str, str]] = []
    for _ in range(MAX_ROUNDS):
        index = KnowledgeIndex(pack.model_copy(update={"paraphrases": tuple(kept)}))
        lost = [
            (entry.id, entry.question(lang))
            for entry in index.entries
            for lang in ("da", "en")
            if (found := index.answer(entry.question(lang), lang).entry) is None
            or found.id != entry.id
        ]
        if not lost:
            return kept
        for entry_id, question in lost:
            others = [p for p in kept if p.entry != entry_id]
            if others:
                kept.remove(max(others, key=lambda p: similarity(p.q, question)))
    # Not the paraphrases' doing (or too many of them): the pack itself needs a look.
    raise ValueError(f"{pack_key}: own questions still answered by another entry: {lost}")


def main() -> None:
    """Write each pack's paraphrases.yaml from the given dev sets."""
    import argparse
    from pathlib import Path

    import yaml

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--dir", action="append", required=True, help="a dev question set")
    parser.add_argument(
        "--held-out",
        action="append",
        default=[],
        help="a held-out set: its questions are only compared with, never kept",
    )
    args = parser.parse_args()
    root = Path(__file__).with_name("packs")
    for pack, labelled in sorted(_label(args.dir, args.held_out).items()):
        paraphrases = keeping_own_questions(pack, labelled)
        header = (
            "# Dev-set questions in their writers' own words, each with the entry that answers"
            " it.\n# Written by `python -m knowledge.paraphrases`; see knowledge/paraphrases.py."
            " Never from a held-out set.\n"
        )
        rows = [p.model_dump() for p in paraphrases]
        body = yaml.safe_dump({"paraphrases": rows}, allow_unicode=True, sort_keys=False, width=200)
        (root / pack / PARAPHRASES_FILE).write_text(header + body, encoding="utf-8")
        print(f"{pack}: {len(rows)} paraphrases")


if __name__ == "__main__":
    main()
