"""`manifest.json`: what a run read, produced and how long each stage took."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from core import __version__


def build_manifest(con: duckdb.DuckDBPyConnection, *, as_of: dt.datetime, config, inputs: list[dict],
                   timings: dict[str, float], outputs: list[str]) -> dict:
    """The manifest as a dictionary (inputs are `FileReport.as_dict()` rows)."""
    by_type = dict(con.execute(
        "select anomaly_type, count(*) from anomalies group by 1 order by 1").fetchall())
    by_subtype = {f"{t}.{s}": n for t, s, n in con.execute(
        "select anomaly_type, subtype, count(*) from anomalies group by 1, 2 order by 1, 2"
    ).fetchall()}
    by_priority = dict(con.execute(
        "select priority, count(*) from anomalies group by 1 order by 1").fetchall())
    by_type_priority: dict[str, dict[str, int]] = {}
    for kind, tier, n in con.execute(
            "select anomaly_type, priority, count(*) from anomalies group by 1, 2 order by 1, 2"
    ).fetchall():
        by_type_priority.setdefault(kind, {})[tier] = n
    unassigned = con.execute("select count(*), count(distinct order_id) from anomalies "
                             "where agent_id is null").fetchone()
    return {
        "version": __version__,
        "as_of": as_of.isoformat(sep=" "),
        "config_hash": config.fingerprint(),
        "config_source": config.source,
        "inputs": inputs,
        "anomalies": {
            "total": sum(by_type.values()),
            "orders": con.execute("select count(distinct order_id) from anomalies").fetchone()[0],
            "by_type": by_type,
            "by_subtype": by_subtype,
            "by_priority": by_priority,
            "by_type_priority": by_type_priority,
            "unassigned": {"anomalies": unassigned[0], "orders": unassigned[1]},
        },
        "rejected_rows": con.execute("select count(*) from rejects").fetchone()[0],
        "warnings": con.execute("select count(*) from warnings").fetchone()[0],
        "stage_seconds": {k: round(v, 3) for k, v in timings.items()},
        "outputs": sorted(outputs),
    }


def read_manifest(folder: Path) -> dict:
    """The manifest of a published run folder."""
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(manifest: dict, path: Path) -> None:
    """Write the manifest as pretty UTF-8 JSON."""
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                    encoding="utf-8")
