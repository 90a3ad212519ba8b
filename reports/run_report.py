"""The short report of one run for operators (a Prefect artifact): counts, rejects, backlog."""

from __future__ import annotations

from pathlib import Path

TIERS = ("P1", "P2", "P3")


def run_markdown(manifest: dict, folder: Path, shop: str) -> str:
    """Markdown for one run from its manifest: anomalies by type and tier, rejected rows,
    the unassigned backlog and where the outputs are."""
    counts = manifest["anomalies"]
    lines = [
        f"# logiwatch {shop} · as of {manifest['as_of']}",
        "",
        f"{counts['total']} anomalies on {counts['orders']} orders · "
        f"{manifest['rejected_rows']} rejected rows · {manifest['warnings']} warnings · "
        f"unassigned backlog {counts['unassigned']['orders']} orders "
        f"({counts['unassigned']['anomalies']} anomalies)",
        "",
        "| anomaly type | " + " | ".join(TIERS) + " | total |",
        "|---|" + "---:|" * (len(TIERS) + 1),
    ]
    for kind, tiers in counts["by_type_priority"].items():
        cells = [str(tiers.get(t, 0)) for t in TIERS]
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {sum(tiers.values())} |")
    lines += ["", f"Outputs: `{folder}`"]
    return "\n".join(lines) + "\n"
