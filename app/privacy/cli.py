"""`flask parents …`: a parent's data-protection rights from the command line.

Each command lives next to its service and is added to this group (``app/cli.py``).
"""

from __future__ import annotations

import click


@click.group()
def parents() -> None:
    """One parent's data: subject access export, erasure, retention."""
