"""What `newsledger demo` prints after its run: the warehouse's answers to example questions."""

from __future__ import annotations

from importlib import resources

from rich.console import Console
from rich.table import Table

from warehouse.db import Target, connect, read_sql

DEMO_QUESTIONS = (
    ("Current status of each partnership", "partnership_status"),
    ("Tariffs in force", "tariffs_in_force"),
    ("Where each company is expanding", "expansions_by_company"),
)


def example_sql(name: str) -> str:
    """The text of ``warehouse/examples/<name>.sql``."""
    return (resources.files("warehouse") / "examples" / f"{name}.sql").read_text()


def print_answers(db: Target, console: Console) -> None:
    """Print what was loaded and the answers of DEMO_QUESTIONS from the warehouse ``db``."""
    con = connect(db, read_only=True, wait_s=30)
    try:
        loaded = con.execute(read_sql("loaded_counts")).fetchall()
        if loaded:
            console.print(f"[bold]{loaded[0][0]} articles; facts:[/] "
                          + ", ".join(f"{kind} {n}" for _, kind, n in loaded))
        for title, name in DEMO_QUESTIONS:
            cursor = con.execute(example_sql(name))
            table = Table(*[d[0] for d in cursor.description], title=title)
            for row in cursor.fetchall():
                table.add_row(*("" if v is None else str(v) for v in row))
            console.print(table)
    finally:
        con.close()
