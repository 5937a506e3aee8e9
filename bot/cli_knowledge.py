"""`govbot knowledge …`: validate the knowledge packs."""

from __future__ import annotations

import sys

import click

from knowledge.check import check_all_packs
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
