"""Test helpers: tiny inline exports run through the real validation and rule SQL."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from core.config import load_config
from schemas.ingest import TABLE_COLUMNS
from schemas.validate import REJECTS_DDL, validate
from transforms.detect import build_staging, detect
from transforms.reference import STATUS_CODES

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 20, 8, 0)


FIXTURES = ROOT / "tests" / "fixtures"


def hours_before(hours: float, as_of: dt.datetime = AS_OF) -> str:
    """A timestamp text `hours` before as_of (negative: after)."""
    return (as_of - dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def order(order_id: str = "O1", **fields) -> dict:
    """One order line, shipped 10 h before AS_OF by 中通 to 浙江 from 杭州仓, unless overridden."""
    line = {
        "order_id": order_id, "platform_order_id": f"P{order_id}", "shop": "店A",
        "status": "已发货", "created_at": hours_before(13), "paid_at": hours_before(12),
        "shipped_at": hours_before(10), "carrier": "中通快递", "tracking_no": "73100000000001",
        "receiver_name": "张三", "receiver_phone": "13800001111", "province": "浙江",
        "city": "杭州市", "warehouse": "杭州仓", "sku": "SKU-1", "qty": "1", "price": "10",
        "amount": "10",
    }
    line.update(fields)
    return line


def event(tracking_no: str, hours: float, code: str = "1002", area: str = "浙江,杭州市",
          context: str = "运输中", carrier: str = "zhongtong") -> dict:
    """One tracking event `hours` before AS_OF with a Kuaidi100 status code."""
    return {"tracking_no": tracking_no, "carrier": carrier, "event_time": hours_before(hours),
            "status_code": code, "context": context, "area": area}


def load(con: duckdb.DuckDBPyConnection, *, orders=(), events=(), inventory=(), agents=(),
         meta=()) -> None:
    """Insert text rows as raw exports and validate them exactly as a run does."""
    con.execute(REJECTS_DDL)
    con.execute('create or replace table file_headers (file varchar, "column" varchar, '
                'header varchar)')
    for kind, rows in (("order_lines", orders), ("inventory", inventory),
                       ("tracking_csv", events), ("agents", agents)):
        columns = TABLE_COLUMNS[kind]
        frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns,
                             dtype="str")
        frame["_file"] = f"{kind}.csv"
        frame["_row"] = range(2, len(frame) + 2)
        con.register("_frame", frame)
        con.execute(f"create or replace table raw_{kind} as select * from _frame")
        con.unregister("_frame")
        validate(con, kind)
    con.execute("create or replace table tracking_meta (_file varchar, _row bigint, "
                "tracking_no varchar, carrier varchar, push_status varchar, message varchar, "
                "auto_check boolean, com_new varchar, state varchar)")
    for m in meta:
        con.execute("insert into tracking_meta by name select $n as tracking_no, "
                    "$c as com_new, $s as push_status, $m as message, 1 as _row",
                    {"n": m["tracking_no"], "c": m.get("com_new"), "s": m.get("push_status"),
                     "m": m.get("message")})


def run_rules(*, orders=(), events=(), inventory=(), meta=(), as_of: dt.datetime = AS_OF,
              config=None, rules=None) -> pd.DataFrame:
    """Validate the inline rows, stage them at `as_of` and return every rule's rows."""
    config = config or load_config()
    con = duckdb.connect()
    try:
        load(con, orders=orders, events=events, inventory=inventory, meta=meta)
        build_staging(con, config, as_of)
        if rules:
            detect(con, config, as_of, rules)
        else:
            detect(con, config, as_of)
        return con.execute("select * from detected order by all").df()
    finally:
        con.close()


def fired(frame: pd.DataFrame, anomaly_type: str | None = None) -> set[tuple]:
    """(type, subtype, order_id, tracking_no) of the rows, optionally of one type."""
    rows = frame if anomaly_type is None else frame[frame.anomaly_type == anomaly_type]
    return {(r.anomaly_type, r.subtype, r.order_id, r.tracking_no if isinstance(r.tracking_no, str)
             else None) for r in rows.itertuples()}


# Kuaidi100's status names, for corpus events that carry a name and no statusCode
NAME_CODES = {"在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5",
              "退回": "6", "转投": "7", "清关": "8", "拒签": "14", "干线": "1002",
              "投柜或驿站": "501", "投柜或站签收": "304"}


def scan_corpus(name: str) -> list[dict]:
    """The rows of one file of the real scan-text corpus (tests/fixtures/scan_texts/)."""
    with (FIXTURES / "scan_texts" / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def kuaidi100_code(row: dict) -> str:
    """A corpus event's Kuaidi100 code: its statusCode, else the code of its status name."""
    return row["status_code"] or NAME_CODES[row["status_name"]]


# 快递鸟 (Kdniao) action codes, from its published state table, for the texts it classified
KDNIAO_ACTIONS = {"1": "PICKED_UP", "2": "IN_TRANSIT", "201": "IN_TRANSIT", "204": "IN_TRANSIT",
                  "205": "IN_TRANSIT", "206": "IN_TRANSIT", "202": "OUT_FOR_DELIVERY",
                  "211": "AT_LOCKER", "3": "SIGNED", "301": "SIGNED", "302": "SIGNED",
                  "304": "SIGNED_PROXY", "311": "SIGNED_LOCKER", "404": "REFUSED",
                  "406": "RETURN_SIGNED", "412": "AT_LOCKER", "10": "ORDERED"}
# 中通's own actions (中通开放平台, 物流轨迹推送 `action`), from its published table: INBOUND 入站
# (放入快递超市/自提柜/第三方代理点), HANDOVERSCAN_SIGNED 第三方妥投 (入站后妥投成功: handed to that
# place, still to collect), DEPARTURE_SIGNED 出站签收 (客户从快递超市/自提柜/第三方代理点等取出);
# and the `scanType` of its older trace interface (收件, 发件, 到件, 派件, 签收, 退件, 问题件)
ZTO_ACTIONS = {"GOT": "PICKED_UP", "DEPARTURE": "IN_TRANSIT", "ARRIVAL": "IN_TRANSIT",
               "DISPATCH": "OUT_FOR_DELIVERY", "RETURN_SCAN": "RETURNING",
               "RETURN_SIGNED": "RETURN_SIGNED", "INBOUND": "AT_LOCKER",
               "HANDOVERSCAN_SIGNED": "AT_LOCKER", "DEPARTURE_SIGNED": "SIGNED_LOCKER",
               "SIGNED": "SIGNED", "PROBLEM": "PROBLEM",
               "收件": "PICKED_UP", "发件": "IN_TRANSIT", "到件": "IN_TRANSIT",
               "派件": "OUT_FOR_DELIVERY", "签收": "SIGNED", "退件": "RETURNING",
               "退件签收": "RETURN_SIGNED", "问题件": "PROBLEM"}
# 顺丰's route opCodes (顺丰开放平台's 路由操作码), those of its published table the texts use:
# 30 装车/分拣 准备发往, 31 到达, 44 正在派送途中, 80 已签收, 8000 签收图 (after the signature)
SF_OPCODES = {"30": "IN_TRANSIT", "31": "IN_TRANSIT", "44": "OUT_FOR_DELIVERY", "80": "SIGNED",
              "8000": "SIGNED"}
# 菜鸟's standard logistics sub-states (subLogisticsStatus), as 阿里云's 天眼 and APISpace serve
# them, from their published table (ON_THE_WAY is an older name of TRANSPORT)
CAINIAO_SUB_STATES = {"RECEIVE": "ORDERED", "WAIT_ACCEPT": "ORDERED", "ACCEPT": "PICKED_UP",
                      "TRANSPORT": "IN_TRANSIT", "ON_THE_WAY": "IN_TRANSIT",
                      "ARRIVE_CITY": "IN_TRANSIT", "SEND_ON": "FORWARDED",
                      "DELIVERING": "OUT_FOR_DELIVERY", "STA_INBOUND": "AT_LOCKER",
                      "AGENT_SIGN": "SIGNED_PROXY", "SIGN": "SIGNED", "STA_SIGN": "SIGNED_LOCKER",
                      "RETURN_SIGN": "RETURN_SIGNED", "FAILED": "PROBLEM",
                      "REFUSE_SIGN": "REFUSED", "DELIVER_ABNORMAL": "PROBLEM",
                      "RETENTION": "PROBLEM", "ISSUE": "PROBLEM", "RETURN": "RETURNING",
                      "DAMAGE": "PROBLEM", "CANCEL_ORDER": "CANCELLED"}

# each file of the corpus: its scheme, the column of its code and the canonical status of a code
CORPUS_FILES = (
    ("kuaidi100_events.csv", "kuaidi100", kuaidi100_code, lambda code: STATUS_CODES[code][0]),
    ("kdniao_events.csv", "kdniao", lambda row: row["action"], KDNIAO_ACTIONS.__getitem__),
    ("zto_events.csv", "zto", lambda row: row["action"], ZTO_ACTIONS.__getitem__),
    ("cainiao_events.csv", "cainiao", lambda row: row["sub_status"], CAINIAO_SUB_STATES.__getitem__),
    ("sf_events.csv", "sf", lambda row: row["op_code"], SF_OPCODES.__getitem__),
)


def coded_corpus() -> list[tuple[dict, str, str, str]]:
    """(row, scheme, code, the code's canonical status) of every text of the corpus."""
    texts = []
    for name, scheme, code_of, status_of in CORPUS_FILES:
        for row in scan_corpus(name):
            code = code_of(row)
            texts.append((row, scheme, code, status_of(code)))
    return texts
