"""Connections to a warehouse file: how writes lay out row groups, and a held write lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.db import ROW_GROUP_SIZE, WRITE_ALIAS, WarehouseBusy, connect, open_warehouse


@pytest.mark.parametrize("name", ["night.duckdb", "memory.duckdb", "Main.duckdb", "pg_catalog.duckdb", "it's v2.db"])
def test_a_write_session_writes_the_file_analysts_open(tmp_path: Path, name: str) -> None:
    """Whatever the file's name, a write session migrates and writes that file (not its
    in-memory catalog), spills beside it, and a plain session reads what it wrote."""
    path = tmp_path / name
    with open_warehouse(path) as con:
        assert con.execute("SELECT current_database()").fetchone()[0] == WRITE_ALIAS
        assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == f"{path}.tmp"
        con.execute("INSERT INTO core.runs (run_id, kind, started_at, outcome) "
                    "VALUES ('r1', 'nightly', now(), 'completed')")
    plain = duckdb.connect(str(path), read_only=True)  # what analysts open
    assert plain.execute("SELECT run_id FROM core.runs").fetchall() == [("r1",)]
    assert plain.execute("SELECT count(*) FROM mart.articles").fetchone()[0] == 0
    plain.close()


def test_loads_append_to_row_groups_of_bounded_size(tmp_path: Path) -> None:
    """A checkpoint rewrites the row group a load appended to: it must stay small however
    many rows the table holds, across sessions."""
    path = tmp_path / "w.duckdb"
    for start in (0, 3000, 6000, 9000):  # one session per load, as runs do
        with open_warehouse(path) as con:
            con.execute("CREATE TABLE IF NOT EXISTS main.scratch (i INTEGER, text VARCHAR)")
            con.execute("INSERT INTO main.scratch SELECT range, repeat('x', 100) FROM range(?, ?)",
                        [start, start + 3000])
    con = duckdb.connect(str(path), read_only=True)
    sizes = [row[0] for row in con.execute(
        "SELECT max(start + count) - min(start) FROM pragma_storage_info('main.scratch') "
        "WHERE column_name = 'i' GROUP BY row_group_id").fetchall()]
    con.close()
    assert sum(sizes) == 12000 and len(sizes) >= 3
    assert max(sizes) <= ROW_GROUP_SIZE, sizes


def test_a_held_write_lock_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path):
        pass
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match="being written by another process"):
            connect(path, wait_s=0.5)
    finally:
        holder.kill()
        holder.wait()
