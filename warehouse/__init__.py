"""The DuckDB warehouse: migrations, views, loads and reference data."""

from pathlib import Path

REFERENCE_DIR = Path(__file__).parent / "reference"
