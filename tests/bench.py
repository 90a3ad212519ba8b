"""Benchmark: generate a large shop and time each stage of a run (no Prefect).

    python -m tests.bench [--orders 200000] [--keep DIR]

Prints the generated volume and the stage timings from the manifest. Speed is measured
here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from flows import pipeline
from core.config import load_config
from sample_data.generate import AS_OF, HERE, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="keep the generated data and outputs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        inbox = base / "inbox"
        start = time.perf_counter()
        counts = write(inbox, args.orders)
        size = sum(p.stat().st_size for p in inbox.iterdir()) / 1e6
        print(f"generated {counts} ({size:.0f} MB) in {time.perf_counter() - start:.1f} s")
        config = load_config(HERE / "logiwatch.toml")
        paths = pipeline.RunPaths(inbox=inbox, out=base / "out", state=base / "state.duckdb",
                                  as_of=AS_OF)
        start = time.perf_counter()
        folder = pipeline.run_pipeline(paths, config)
        total = time.perf_counter() - start
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in manifest["stage_seconds"].items())
        print(f"run: {total:.2f} s ({stages}); {manifest['anomalies']['total']} anomalies")


if __name__ == "__main__":
    main()
