"""How well the scan-text rules read a tracking export that has no status codes."""

from __future__ import annotations

import duckdb

from core.db import sql_text
from transforms.reference import create_reference_tables


def scan_text_coverage(con: duckdb.DuckDBPyConnection, config) -> tuple[int, int]:
    """(events without a known status code, those of them no scan-text cue reads) over the
    ingested `tracking_csv`."""
    create_reference_tables(con, config)
    without_codes, unclassified = con.execute(
        sql_text("report/scan_text_coverage")).fetchone()
    return without_codes, unclassified
