"""Render the sample run's worklist and summary to PNG, for a person to look at.

    python -m tests.preview [--out docs/preview]

Needs LibreOffice (soffice) and poppler's pdftoppm: `apt-get install libreoffice-calc
poppler-utils fonts-noto-cjk`. Writes worklist.png and summary-<n>.png.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flows import pipeline
from core.config import load_config
from sample_data.generate import AS_OF, HERE


def _png(xlsx: Path, target: Path, stem: str, pages: int,
         crop: tuple[int, int, int] | None = None, dpi: int = 70) -> list[Path]:
    """PDF through LibreOffice, then the first `pages` pages as PNG (optionally a window
    `crop` = (width, height, top) pixels: a printed worklist is fitted to one page wide)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(xlsx)], check=True, capture_output=True, timeout=180)
        pdf = Path(tmp) / (xlsx.stem + ".pdf")
        window = ["-x", "0", "-y", str(crop[2]), "-W", str(crop[0]), "-H", str(crop[1])] \
            if crop else []
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages),
                        *window, str(pdf), str(target / stem)], check=True, timeout=120)
    return sorted(target.glob(f"{stem}*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/preview"))
    args = parser.parse_args()
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"error: {', '.join(missing)} not found; install with: apt-get install "
                 "libreoffice-calc poppler-utils fonts-noto-cjk")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        paths = pipeline.RunPaths(inbox=HERE, out=Path(tmp), state=Path(tmp) / "s.duckdb",
                                  as_of=AS_OF)
        folder = pipeline.run_pipeline(paths, load_config(HERE / "logiwatch.toml"))
        # the printed worklist is its first screen (print area), fitted to the page width
        written = _png(folder / "worklists" / "kf01.xlsx", args.out, "worklist", 1,
                       crop=(1160, 700, 0), dpi=110)
        written += _png(folder / "summary.xlsx", args.out, "summary", 2)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
