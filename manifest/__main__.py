"""`python -m manifest …`: the manifest commands without the rest of govbot's CLI."""

from manifest.cli import manifest_cli

manifest_cli(prog_name="python -m manifest")
