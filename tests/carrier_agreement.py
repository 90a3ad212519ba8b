"""Measure the carrier registry against a collection of peer test vectors.

    python -m tests.carrier_agreement [FOLDER_OR_CSV]

FOLDER_OR_CSV is a `peer_vectors.csv` (columns carrier, number, expected_valid, source, note)
or a folder holding one; the default is the project's fixture
`tests/fixtures/tracking_numbers/peer_vectors.csv`.

For each vector whose source asserts valid/invalid, "ours" is whether the number fits the
named carrier (S10 rows: whether it passes the S10 check for a CN number). Prints agreement
and every disagreement with the source's note.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import duckdb

from core.config import load_config
from transforms.carriers import S10, candidate_carriers
from transforms.reference import create_reference_tables
from tests.helpers import FIXTURES

CODES = {"SF": "shunfeng", "ZTO": "zhongtong", "YTO": "yuantong", "STO": "shentong",
         "YUNDA": "yunda", "JT": "jtexpress", "JD": "jd", "EMS": "ems",
         "CHINAPOST": "youzhengguonei", "DEPPON": "debangkuaidi", "BEST": "jtexpress"}


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES / "tracking_numbers"
    if path.is_dir():
        path = path / "peer_vectors.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["expected_valid"] in ("true", "false")]
    con = duckdb.connect()
    try:
        create_reference_tables(con, load_config())
        found = candidate_carriers(con, [r["number"] for r in rows])
    finally:
        con.close()
    agree, disagree = 0, []
    for r in rows:
        carriers = found[r["number"]]
        number = r["number"].strip()
        if r["carrier"] == "S10":
            if number.endswith("XX"):
                disagree.append((r, carriers, "country codes are not checked, only the digit"))
                continue
            # as an S10 number: valid when S10-shaped and the check digit holds
            ours = bool(re.fullmatch(S10, number)) and bool(carriers)
        elif r["carrier"] in CODES:
            ours = CODES[r["carrier"]] in carriers
        else:
            ours = None  # a carrier outside the registry (YunExpress, Cainiao, J&T SG, …)
        if ours is None:
            disagree.append((r, carriers, "carrier or country outside the registry"))
        elif ours == (r["expected_valid"] == "true"):
            agree += 1
        else:
            disagree.append((r, carriers, ""))
    print(f"{agree} of {len(rows)} asserted vectors agree")
    for r, carriers, why in disagree:
        print(f"  {r['carrier']:<11} {r['number'].strip():<28} expected {r['expected_valid']:<5} "
              f"ours {carriers or '-'} {why or r['note'][:70]}")


if __name__ == "__main__":
    main()
