"""``mathreel dlq``: inspect, replay and purge dead letters of the distributed deployment."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mathreel_shared.deadletters import DeadLetterQueue
from mathreel_shared.settings import get_settings

dlq_app = typer.Typer(help="Dead letters: messages that could not be processed (distributed mode, RabbitMQ).")
console = Console()


def _queue() -> DeadLetterQueue:
    settings = get_settings()
    return DeadLetterQueue(settings.amqp_url, settings.broker_namespace)


@dlq_app.command("list")
def list_letters(limit: Annotated[int, typer.Option(help="Show at most this many")] = 50) -> None:
    """List dead letters without removing them."""
    letters = asyncio.run(_queue().list(limit))
    table = Table("message id", "type", "job", "attempt", "reason", "from queue", "died at")
    for letter in letters:
        table.add_row(
            letter.message_id,
            letter.type,
            letter.job_id or "-",
            str(letter.attempt or "-"),
            letter.reason,
            letter.from_queue,
            letter.died_at.isoformat() if letter.died_at else "-",
        )
    console.print(table)
    console.print(f"{len(letters)} dead letter(s)")


@dlq_app.command()
def show(message_id: str) -> None:
    """Print one dead letter's body."""
    letter = asyncio.run(_queue().show(message_id))
    if letter is None:
        console.print(f"[red]no dead letter with id {message_id}")
        raise typer.Exit(1)
    body = json.dumps(letter.body, indent=2) if letter.body is not None else letter.raw.decode(errors="replace")
    console.print(f"type {letter.type}  job {letter.job_id}  reason {letter.reason}  from {letter.from_queue}")
    console.print(body)


@dlq_app.command()
def replay(
    message_id: Annotated[str | None, typer.Argument(help="One message id; omit with --all")] = None,
    all_letters: Annotated[bool, typer.Option("--all", help="Replay every dead letter")] = False,
) -> None:
    """Publish dead letters back to where they were going (after fixing what made them fail)."""
    if message_id is None and not all_letters:
        console.print("[red]name a message id, or pass --all")
        raise typer.Exit(2)
    count = asyncio.run(_queue().replay(message_id))
    console.print(f"replayed {count} message(s)")
    if message_id is not None and count == 0:
        raise typer.Exit(1)


@dlq_app.command()
def purge(yes: Annotated[bool, typer.Option("--yes", help="Do not ask")] = False) -> None:
    """Delete every dead letter."""
    if not yes and not typer.confirm("Delete every dead letter?"):
        raise typer.Exit(1)
    console.print(f"purged {asyncio.run(_queue().purge())} message(s)")
