"""`govbot knowledge …`: validate the knowledge packs and evaluate the answers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from knowledge.check import check_all_packs
from knowledge.evaluation import evaluate, load_items, summary_lines
from knowledge.packs import available_packs


@click.group("knowledge")
def knowledge_cli() -> None:
    """The municipality knowledge packs."""


@knowledge_cli.command("check")
def check() -> None:
    """Validate every pack (schema, unique ids, references, sources); exit 1 on any problem."""
    problems = check_all_packs()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in the knowledge packs", err=True)
        sys.exit(1)
    click.echo(f"all packs are valid: {', '.join(available_packs())}")


@knowledge_cli.command("eval")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tests/knowledge/heldout"),
    show_default=True,
    help="folder of question sets (*.yaml)",
)
@click.option("--pack", "packs", multiple=True, help="only this pack (repeatable)")
@click.option("--verbose", "-v", is_flag=True, help="print every question that missed")
@click.option(
    "--literal",
    is_flag=True,
    help="right only when the answer's own text states the fact word for word",
)
def evaluate_sets(directory: Path, packs: tuple[str, ...], verbose: bool, literal: bool) -> None:
    """Ask a held-out question set; print right/wrong/asked-back/unknown per pack; exit 1 on a
    missed target (≥ 95 % right and confident, none wrong, no out-of-scope answered)."""
    if not directory.is_dir():
        click.echo(f"no question sets in {directory}", err=True)
        sys.exit(2)
    unknown = sorted(set(packs) - set(available_packs()))
    if unknown:
        click.echo(f"unknown pack(s): {', '.join(unknown)}", err=True)
        sys.exit(2)
    reports = evaluate(load_items(directory), list(packs) or None, literal=literal)
    for line in summary_lines(reports):
        click.echo(line)
    if verbose:
        for report in reports.values():
            for outcome in report.outcomes:
                missed = (
                    outcome.verdict != "right"
                    if outcome.item.expect
                    else (outcome.verdict == "confident")
                )
                if missed:
                    first = outcome.answer.splitlines()[0] if outcome.answer else ""
                    click.echo(
                        f"  {outcome.pack} {outcome.verdict}: {outcome.item.question!r}"
                        f" -> {first[:90]!r}"
                    )
    if not all(r.meets_targets for r in reports.values()):
        sys.exit(1)
