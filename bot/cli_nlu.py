"""`govbot nlu eval`: the intent model scored on held-out messages and on its training data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_SETS = (Path("tests/nlu/heldout.yaml"), Path("tests/nlu/heldout_followups.yaml"))
# The targets of the understanding issue, on the held-out set.
IN_SCOPE_TARGET = 0.95
OUT_OF_SCOPE_TARGET = 0.98
FOLLOWUP_TARGET = 0.95


@click.group("nlu")
def nlu_cli() -> None:
    """The intent model."""


@nlu_cli.command("eval")
@click.option("--set", "sets", multiple=True, type=click.Path(exists=True, path_type=Path))
@click.option("--pack", default="randers", show_default=True, help="bodies come from this pack")
@click.option("--training/--no-training", default=True, help="also score the training data")
def evaluate_command(sets: tuple[Path, ...], pack: str, training: bool) -> None:
    """Accuracy, per-intent precision/recall and confusions; exit 1 when a target is missed."""
    from bot.intent_declarations import load_training, normalise
    from bot.intents import IntentMatcher
    from bot.nlu_eval import (
        demo_slots,
        evaluate,
        format_report,
        load_items,
        pack_is_sure,
        training_items,
    )

    matcher = IntentMatcher()
    slots = demo_slots(matcher, pack)
    sure = pack_is_sure(pack)
    trained = frozenset(normalise(u.text) for u in load_training(matcher.intents))
    missed = False
    if training:
        items = training_items(matcher, load_training(matcher.intents))
        for line in format_report("training data", evaluate(matcher, items, slots, sure=sure)):
            click.echo(line)
    for path in sets or tuple(p for p in DEFAULT_SETS if p.exists()):
        items = load_items(path)
        report = evaluate(matcher, items, slots, trained, sure)
        for line in format_report(str(path), report):
            click.echo(line)
        is_followup = any(item.context for item in items)
        in_scope, no_flow = report.right_intent_share, report.no_flow_share
        target = FOLLOWUP_TARGET if is_followup else IN_SCOPE_TARGET
        if in_scope < target or no_flow < OUT_OF_SCOPE_TARGET:
            click.echo(f"target missed on {path}: {in_scope:.1%} < {target:.0%} or "
                       f"{no_flow:.1%} < {OUT_OF_SCOPE_TARGET:.0%}")  # fmt: skip
            missed = True
    sys.exit(1 if missed else 0)


@nlu_cli.command("build")
def build_command() -> None:
    """Train the intent model into the model cache unless it is current, and compile the
    message and card templates into it (a build step: `govbot serve` then only reads them)."""
    from bot.intent_declarations import declarations_digest
    from bot.intents import trained_matcher
    from bot.settings import Settings
    from dialogs.cards.render import compile_cards
    from dialogs.texts import compile_texts

    cache = Settings().model_cache
    if cache is None:
        click.echo("GOVBOT_MODEL_CACHE is empty: the model is trained at each start-up")
        return
    trained_matcher(cache)
    compile_texts(cache)
    compile_cards(cache)
    click.echo(f"intent model {declarations_digest()} and compiled templates in {cache}")


@nlu_cli.command("tune")
@click.option("--folds", default=5, show_default=True)
def tune_command(folds: int) -> None:
    """Cross-validate on the training data and print the confidence-band table."""
    from bot.intent_declarations import load_training
    from bot.intents import IntentMatcher
    from bot.nlu_eval import band_table, cross_validate

    matcher = IntentMatcher(utterances=())
    held = cross_validate(load_training(matcher.intents), folds)
    right = sum(h.top == h.label for h in held)
    click.echo(f"{folds}-fold cross-validation on training data: top-1 {right / len(held):.1%}")
    for line in band_table(held, [x / 20 for x in range(2, 20)]):
        click.echo(line)
