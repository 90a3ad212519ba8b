"""Deterministic sample exports with planted anomalies and their ground truth.

Writes, for the sample date (as_of = SAMPLE_DATE 08:00, Asia/Shanghai):
  orders.csv      聚水潭-style order lines, GBK, a title row above the header, a 合计 row below
                  (or UTF-8 CSV, or orders.xlsx: --orders-format)
  inventory.csv   聚水潭-style stock export (UTF-8)
  tracking.jsonl  Kuaidi100 push records, one a line (full history per push); or tracking.json
                  (a list of bare query responses) or tracking.csv (flat, text statuses only)
  agents.csv      6 agents
  ground_truth.csv  every planted anomaly: anomaly_type, subtype, order_id, tracking_no

Most orders are normal (delivered, moving, waiting within the SLA); each rule gets positive
cases and near misses: just under / just over a threshold, events after as_of, cancelled
orders, zone 1 vs zone 2 receivers, merged parcels of one receiver. The labels are written
by construction here, independently of the rule SQL.

    python -m sample_data.generate [--out DIR] [--orders N] [--seed S]
                                   [--orders-format gbk|utf8|xlsx] [--tracking-format jsonl|json|csv]
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from sample_data.oracle import expected_anomalies, load_sample_config

SAMPLE_DATE = dt.date(2026, 11, 20)
AS_OF = dt.datetime.combine(SAMPLE_DATE, dt.time(8, 0))
# ground truth is written for the sample date, an earlier date, and one inside 双11
AS_OF_DATES = (AS_OF, dt.datetime(2026, 11, 18, 8, 0), dt.datetime(2026, 11, 12, 8, 0))
HERE = Path(__file__).resolve().parent

SHOPS = ["小鹿家居旗舰店", "青禾食品专营店", "速联数码官方店"]
WAREHOUSES = {"杭州仓": ("浙江", "杭州市"), "广州仓": ("广东", "广州市")}
# province → a city, for addresses and scan areas
PROVINCES = {
    "浙江": "宁波市", "江苏": "南京市", "上海": "上海市", "安徽": "合肥市", "广东": "深圳市",
    "北京": "北京市", "四川": "成都市", "湖北": "武汉市", "山东": "济南市", "河南": "郑州市",
    "福建": "厦门市", "湖南": "长沙市", "新疆": "乌鲁木齐市", "甘肃": "兰州市", "广西": "南宁市",
}
# how the ERP writes some provinces (the rules must normalise them)
LONG_NAMES = {"江苏": "江苏省", "新疆": "新疆维吾尔自治区", "广西": "广西壮族自治区",
              "浙江": "浙江省", "上海": "上海市"}
CARRIERS = {  # ERP display name → (kuaidi100 code, number maker)
    "中通快递": ("zhongtong", lambda r: f"7{r.choice('3456')}{r.randrange(10**11, 10**12)}"),
    "顺丰速运": ("shunfeng", lambda r: f"SF{r.randrange(10**12, 10**13)}"),
    "圆通速递": ("yuantong", lambda r: f"YT{r.randrange(10**12, 10**13)}"),
    "申通快递": ("shentong", lambda r: f"77{r.randrange(10**12, 10**13)}"),
    "韵达快递": ("yunda", lambda r: f"{r.choice('34')}{r.randrange(10**13, 10**14)}"),
    "极兔速递": ("jtexpress", lambda r: f"JT{r.randrange(10**12, 10**13)}"),
    "京东物流": ("jd", lambda r: f"JDV{r.choice('ABC')}{r.randrange(10**10, 10**11)}"),
    "EMS": ("ems", lambda r: f"{r.choice(['10', '11', '50', '97'])}{r.randrange(10**10, 10**11)}"),
    "邮政快递包裹": ("youzhengguonei", lambda r: f"98{r.randrange(10**10, 10**11)}"),
    "德邦快递": ("debangkuaidi", lambda r: f"DPK{r.randrange(10**11, 10**12)}"),
}
SKUS = [(f"SKU-{i:03d}", name, price) for i, (name, price) in enumerate([
    ("北欧实木餐椅", 289.0), ("纯棉四件套", 199.0), ("不锈钢保温杯", 69.0), ("坚果礼盒", 128.0),
    ("有机挂面", 19.9), ("蓝牙耳机", 159.0), ("快充数据线", 29.9), ("智能台灯", 239.0),
    ("收纳箱三件套", 79.0), ("手冲咖啡壶", 119.0), ("红枣枸杞茶", 39.9), ("机械键盘", 329.0),
], start=1)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
ORDER_HEADERS = ["内部订单号", "线上订单号", "店铺", "订单状态", "异常类型", "下单时间", "付款时间",
                 "发货时间", "承诺发货时间", "快递公司", "快递单号", "收货人", "收货手机", "省", "市",
                 "区县", "详细地址", "实付金额", "买家留言", "卖家备注", "旗帜", "发货仓", "订单类型",
                 "商品编码", "商品名称", "数量", "单价"]


@dataclass
class Order:
    order_id: str
    shop: str
    warehouse: str
    province: str
    receiver: tuple[str, str]
    carrier: str
    paid_at: dt.datetime | None
    created_at: dt.datetime
    status: str = "已发货"
    shipped_at: dt.datetime | None = None
    tracking_no: str = ""
    promised_ship_by: dt.datetime | None = None
    question_type: str = ""
    buyer_message: str = ""
    lines: list[tuple[str, int]] = field(default_factory=list)
    # planted number problems: tracking number → MANGLED | BAD_FORMAT | CARRIER_MISMATCH
    number_issue: dict[str, str] = field(default_factory=dict)

    @property
    def carrier_code(self) -> str:
        return CARRIERS[self.carrier][0]


class Sample:
    """Builds orders, events and labels with one seeded random generator."""

    def __init__(self, seed: int, as_of: dt.datetime = AS_OF,
                 scan_hours: tuple[float, float] = (3, 9)):
        self.r = random.Random(seed)
        self.scan_hours = scan_hours  # hours between two transit scans (min, max)
        self.as_of = as_of
        self.orders: list[Order] = []
        self.pushes: list[dict] = []
        self.planted: dict[dt.datetime, set[tuple[str, str, str, str]]] = {}
        self.cohort: dict[str, dt.datetime] = {}  # order_id → the date it was planted for
        self.zones, self.promotions = load_sample_config(HERE / "logiwatch.toml")
        self.used_numbers: set[str] = set()
        self.stock: dict[tuple[str, str], int] = {}
        self.stock_export: dict[tuple[str, str], int] = {}
        self.next_id = 1

    # ---- building blocks -------------------------------------------------------------
    def hours_ago(self, hours: float) -> dt.datetime:
        return (self.as_of - dt.timedelta(hours=hours)).replace(microsecond=0)

    def number(self, carrier: str) -> str:
        while True:
            n = CARRIERS[carrier][1](self.r)
            if n not in self.used_numbers:
                self.used_numbers.add(n)
                return n

    def receiver(self) -> tuple[str, str]:
        name = self.r.choice(SURNAMES) + "".join(self.r.choices(GIVEN, k=self.r.choice([1, 2])))
        phone = f"1{self.r.choice('3578')}{self.r.randrange(10**8, 10**9)}"
        return name, phone

    def order(self, *, paid_hours_ago: float | None, province: str | None = None,
              warehouse: str | None = None, carrier: str | None = None, status: str = "已发货",
              ship_after: float | None = None, lines: list[tuple[str, int]] | None = None,
              receiver: tuple[str, str] | None = None) -> Order:
        """An order paid `paid_hours_ago`, shipped `ship_after` hours after payment."""
        paid = None if paid_hours_ago is None else self.hours_ago(paid_hours_ago)
        created = (paid or self.hours_ago(self.r.uniform(1, 20))) - dt.timedelta(
            minutes=self.r.randint(1, 30))
        o = Order(
            order_id=f"JST{2026110000 + self.next_id}",
            shop=self.r.choice(SHOPS),
            warehouse=warehouse or self.r.choice(list(WAREHOUSES)),
            province=province or self.r.choice(list(PROVINCES)),
            receiver=receiver or self.receiver(),
            carrier=carrier or self.r.choice(list(CARRIERS)),
            paid_at=paid, created_at=created, status=status,
            lines=lines or [(sku, self.r.randint(1, 2)) for sku, _, _ in
                            self.r.sample(SKUS, self.r.choice([1, 1, 1, 2, 3]))],
        )
        self.next_id += 1
        self.cohort[o.order_id] = self.as_of
        if ship_after is not None and paid is not None:
            o.shipped_at = paid + dt.timedelta(hours=ship_after)
            o.tracking_no = self.number(o.carrier)
        self.orders.append(o)
        return o

    def shipped(self, hours_ago: float, **kw) -> Order:
        """An order shipped `hours_ago` (paid a few hours before that)."""
        before = self.r.uniform(1, 10)
        return self.order(paid_hours_ago=hours_ago + before, ship_after=before, **kw)

    def label(self, anomaly_type: str, subtype: str, order: Order, tracking_no: str = "") -> None:
        self.planted.setdefault(self.as_of, set()).add(
            (anomaly_type, subtype, order.order_id, tracking_no))

    def label_unpicked(self, subtype: str, order: Order) -> None:
        """Label when past the pickup threshold that applies at its ship time (大促: 72 h)."""
        in_promo = any(a <= order.shipped_at <= b for a, b in self.promotions)
        if (self.as_of - order.shipped_at) / dt.timedelta(hours=1) > (72 if in_promo else 24):
            self.label("UNPICKED", subtype, order, order.tracking_no)

    def area(self, province: str) -> str:
        return f"{province},{PROVINCES.get(province, '某市')}"

    def push(self, tracking_no: str, carrier: str, events: list[tuple[dt.datetime, str, str, str]],
             **extra) -> None:
        """A Kuaidi100 push record: events are (time, statusCode, text, area)."""
        data = [{"time": t.strftime("%Y-%m-%d %H:%M:%S"), "ftime": t.strftime("%Y-%m-%d %H:%M:%S"),
                 "context": text, "areaName": area, "status": STATUS_WORD.get(code, "在途"),
                 "statusCode": code}
                for t, code, text, area in sorted(events, key=lambda e: e[0], reverse=True)]
        self.pushes.append({
            "status": "polling", "message": "", "autoCheck": extra.get("auto_check", "0"),
            "comOld": extra.get("com_old", ""), "comNew": extra.get("com_new", ""),
            "lastResult": {"message": "ok", "state": data[0]["statusCode"] if data else "0",
                           "status": "200", "ischeck": "0", "com": CARRIERS[carrier][0],
                           "nu": tracking_no, "data": data},
        })

    def journey(self, o: Order, *, stop_hours_ago: float | None = None, final: str | None = None,
                final_hours_ago: float | None = None, final_area: str | None = None,
                tracking_no: str | None = None) -> list:
        """Pickup and transit scans from the warehouse towards the receiver.

        Transit stops `stop_hours_ago` before as_of (the latest scan); with `final`, a last
        event of that status code `final_hours_ago` before as_of.
        """
        number = tracking_no or o.tracking_no
        wh_province, wh_city = WAREHOUSES[o.warehouse]
        pickup = o.shipped_at + dt.timedelta(hours=self.r.uniform(0.5, 4))
        events = [(o.shipped_at, "101", "商家已下单，等待快递揽收", f"{wh_province},{wh_city}"),
                  (pickup, "103", f"【{wh_city}】快递员已揽收", f"{wh_province},{wh_city}")]
        end = self.hours_ago(stop_hours_ago) if stop_hours_ago is not None else (
            self.hours_ago(final_hours_ago) if final_hours_ago is not None else pickup)
        t = pickup
        while True:
            t = t + dt.timedelta(hours=self.r.uniform(*self.scan_hours))
            if t >= end:
                break
            events.append((t, "1002", "快件已到达【转运中心】", f"{wh_province},{wh_city}"))
        if stop_hours_ago is not None and end > pickup:
            events.append((end, "1002", f"快件已发往【{o.province}分拨中心】",
                           self.area(o.province)))
        if final is not None:
            events.append((self.hours_ago(final_hours_ago), final, FINAL_TEXT[final],
                           final_area or self.area(o.province)))
        self.push(number, o.carrier, events)
        return events


STATUS_WORD = {"101": "下单", "103": "揽收", "1002": "在途", "5": "派件", "3": "签收",
               "301": "签收", "303": "签收", "304": "签收", "501": "派件", "14": "拒签",
               "203": "拒签", "6": "退回", "4": "退签", "206": "疑难", "207": "疑难",
               "208": "疑难", "209": "疑难", "2": "疑难", "7": "转投"}
FINAL_TEXT = {
    "3": "快件已签收，签收人：本人", "301": "快件已签收，签收人：本人",
    "303": "快件已由门卫代签收", "304": "快件已在菜鸟驿站签收",
    "5": "快递员正在派件", "501": "快件已放入丰巢快递柜，请凭取件码取件",
    "14": "收件人拒收", "203": "收件人拒签", "6": "快件退回中", "4": "快件已退回寄件人签收",
    "206": "收件人电话无法联系", "207": "收件地址超区", "208": "快件滞留在网点",
    "209": "快件外包装破损", "2": "快件为疑难件，网点处理中", "1002": "快件运输中",
}


def plant(s: Sample, n_normal: int, suffix: str = "") -> None:
    """Normal orders, then each rule's positives and near misses, relative to `s.as_of`.

    `suffix` keeps the stock-out SKUs of one cohort apart from another's."""
    r = s.r
    zone1 = ["浙江", "江苏", "上海", "安徽"]
    # ---- normal orders -------------------------------------------------------------------
    for _ in range(n_normal):
        kind = r.random()
        if kind < 0.70:  # delivered, signed by the receiver long enough ago
            o = s.shipped(r.uniform(60, 320))
            done = r.uniform(30, max(31, (s.as_of - o.shipped_at).total_seconds() / 3600 - 30))
            s.journey(o, final=r.choice(["3", "301", "303", "304"]), final_hours_ago=done)
            o.status = "已完成" if r.random() < 0.5 else "已发货"
        elif kind < 0.82:  # moving, latest scan recent
            o = s.shipped(r.uniform(12, 60))
            s.journey(o, stop_hours_ago=r.uniform(1, 20))
        elif kind < 0.92:  # paid, waiting for shipment within the SLA
            s.order(paid_hours_ago=r.uniform(1, 40), status=r.choice(["待审核", "已审核", "发货中"]))
        elif kind < 0.96:  # unpaid
            s.order(paid_hours_ago=None, status="待付款")
        else:  # cancelled long ago, never shipped
            s.order(paid_hours_ago=r.uniform(50, 300), status="已取消")

    # ---- UNPICKED ------------------------------------------------------------------------
    # (inside a promotion window some of these are near misses: label_unpicked knows)
    for h in (r.uniform(26, 70) for _ in range(8)):
        s.label_unpicked("NO_TRACE", s.shipped(h))
    s.label_unpicked("NO_TRACE", s.shipped(24 + 1 / 60))  # one minute over the threshold
    s.shipped(24 - 1 / 60)  # one minute under: no anomaly
    s.shipped(23.5)
    for h in (r.uniform(28, 60) for _ in range(5)):
        o = s.shipped(h)
        s.push(o.tracking_no, o.carrier, [(o.shipped_at, "101", "商家已下单，等待揽收", "")])
        s.label_unpicked("WAITING_PICKUP", o)
    for _ in range(3):  # picked up one minute after as_of: invisible to this run
        o = s.shipped(r.uniform(30, 40))
        s.push(o.tracking_no, o.carrier, [(s.as_of + dt.timedelta(minutes=1), "103", "已揽收",
                                          s.area(WAREHOUSES[o.warehouse][0]))])
        s.label_unpicked("NO_TRACE", o)
    s.shipped(30, status="已取消")  # cancelled after printing the waybill: not shipped

    # ---- STALLED -------------------------------------------------------------------------
    def stalled(province: str, warehouse: str, hours: float, fires: bool, zone: int,
                long_name: bool = False) -> Order:
        o = s.shipped(hours + r.uniform(20, 40), province=province, warehouse=warehouse)
        if long_name:
            o.province = LONG_NAMES.get(province, province)
        s.journey(o, stop_hours_ago=hours)
        if fires:
            s.label("STALLED", f"ZONE{zone}", o, o.tracking_no)
        return o

    for _ in range(6):
        stalled(r.choice(zone1), "杭州仓", r.uniform(25, 45), True, 1)
    stalled("江苏", "杭州仓", 24 + 1 / 60, True, 1, long_name=True)   # just over zone 1
    stalled("江苏", "杭州仓", 24 - 1 / 60, False, 1, long_name=True)  # just under zone 1
    for _ in range(4):
        stalled(r.choice(["北京", "四川", "湖北"]), "杭州仓", r.uniform(49, 80), True, 2)
    for _ in range(4):  # zone 2: over the zone-1 threshold but under zone 2's
        stalled(r.choice(["北京", "广东", "山东"]), "杭州仓", r.uniform(26, 46), False, 2)
    stalled("四川", "杭州仓", 48 + 1 / 60, True, 2)
    stalled("四川", "杭州仓", 48 - 1 / 60, False, 2)
    for _ in range(3):
        stalled("新疆", "杭州仓", r.uniform(50, 90), True, 3, long_name=True)
    for _ in range(3):  # 广州仓: 广东 is zone 1 there, 浙江 zone 2
        stalled("广东", "广州仓", r.uniform(25, 40), True, 1)
        stalled("浙江", "广州仓", r.uniform(26, 46), False, 2)
    for _ in range(2):  # a newer scan after as_of does not save it
        o = stalled("上海", "杭州仓", r.uniform(30, 40), True, 1)
        s.pushes[-1]["lastResult"]["data"].insert(0, {
            "time": (s.as_of + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"),
            "ftime": "", "context": "快件运输中", "areaName": "上海,上海市", "status": "在途",
            "statusCode": "1002"})
    for _ in range(2):  # signed, but a transit scan with a later clock: terminal, no anomaly
        o = s.shipped(r.uniform(70, 90), province="浙江", warehouse="杭州仓")
        s.journey(o, stop_hours_ago=30, final="3", final_hours_ago=40)

    # ---- WRONG_TRACKING_NO ---------------------------------------------------------------
    for _ in range(3):
        o = s.shipped(r.uniform(4, 20))
        o.tracking_no = ""
        s.label("WRONG_TRACKING_NO", "MISSING", o, "")
    for bad in ("7511306763020811", "ZT12345", "EA123456789CN"):
        o = s.shipped(r.uniform(4, 20), carrier="EMS" if bad.startswith("EA") else "中通快递")
        o.tracking_no = bad
        o.number_issue[bad] = "BAD_FORMAT"
        s.label("WRONG_TRACKING_NO", "BAD_FORMAT", o, bad)
    for _ in range(3):
        o = s.shipped(r.uniform(4, 20), carrier="中通快递")
        o.tracking_no = s.number("顺丰速运")
        o.number_issue[o.tracking_no] = "CARRIER_MISMATCH"
        s.label("WRONG_TRACKING_NO", "CARRIER_MISMATCH", o, o.tracking_no)
    for raw in ("7.51131E+13", "7.73277E+14"):
        o = s.shipped(r.uniform(4, 20), carrier="中通快递" if raw.startswith("7.5") else "申通快递")
        o.tracking_no = raw
        o.number_issue[raw] = "MANGLED"
        s.label("WRONG_TRACKING_NO", "MANGLED", o, raw)
    for _ in range(2):  # reused number, two receivers: both orders
        a = s.shipped(r.uniform(4, 20), carrier="圆通速递")
        b = s.shipped(r.uniform(4, 20), carrier="圆通速递")
        b.tracking_no = a.tracking_no
        s.label("WRONG_TRACKING_NO", "DUPLICATE", a, a.tracking_no)
        s.label("WRONG_TRACKING_NO", "DUPLICATE", b, a.tracking_no)
    for _ in range(2):  # merged parcel: same number, same receiver, no anomaly
        a = s.shipped(r.uniform(4, 20), carrier="韵达快递")
        b = s.shipped(r.uniform(4, 20), carrier="韵达快递", receiver=a.receiver)
        b.tracking_no = a.tracking_no
    for _ in range(2):  # Kuaidi100 says the carrier is another one (comNew)
        o = s.shipped(r.uniform(10, 20), carrier="中通快递")
        s.journey(o, stop_hours_ago=r.uniform(1, 5))
        s.pushes[-1].update({"autoCheck": "1", "comOld": "zhongtong", "comNew": "yunda"})
        s.label("WRONG_TRACKING_NO", "FORWARDED", o, o.tracking_no)
    for _ in range(2):  # the number's history starts days before payment: an old parcel
        o = s.shipped(r.uniform(6, 12))
        old = dt.timedelta(days=6)
        s.push(o.tracking_no, o.carrier, [
            (o.shipped_at - old, "103", "已揽收", s.area("浙江")),
            (o.shipped_at - old + dt.timedelta(hours=20), "3", "快件已签收",
             s.area(o.province))])
        s.label("WRONG_TRACKING_NO", "BEFORE_SHIP", o, o.tracking_no)
    for _ in range(2):  # delivered in another province
        o = s.shipped(r.uniform(60, 80), province="浙江")
        s.journey(o, final="3", final_hours_ago=40, final_area=s.area("广东"))
        s.label("WRONG_TRACKING_NO", "DEST_MISMATCH", o, o.tracking_no)
    o = s.shipped(r.uniform(60, 80), carrier="中通快递")  # float damage: repaired, a warning
    s.journey(o, final="3", final_hours_ago=40)
    o.tracking_no = f"{o.tracking_no}.0"

    # ---- OUT_OF_STOCK --------------------------------------------------------------------
    oos1, oos2 = f"SKU-OOS-1{suffix}", f"SKU-OOS-2{suffix}"
    s.stock[("杭州仓", oos1)] = 3
    s.stock[("杭州仓", oos2)] = 4
    waiting = [s.order(paid_hours_ago=h, warehouse="杭州仓", status="已审核",
                       lines=[(oos1, 1)]) for h in (30, 25, 20, 10, 5)]
    for o in waiting[3:]:
        s.label("OUT_OF_STOCK", "ALLOCATION", o)
    tie = s.order(paid_hours_ago=None, warehouse="杭州仓", status="已审核", lines=[(oos1, 1)])
    tie.paid_at = waiting[2].paid_at  # same paid time as the third: order_id breaks the tie
    tie.created_at = waiting[2].created_at
    s.label("OUT_OF_STOCK", "ALLOCATION", tie)
    s.order(paid_hours_ago=35, warehouse="杭州仓", status="已取消", lines=[(oos1, 5)])
    for h in (30, 20, 12, 6):  # exactly covered
        s.order(paid_hours_ago=h, warehouse="杭州仓", status="已审核", lines=[(oos2, 1)])
    for _ in range(2):
        o = s.order(paid_hours_ago=r.uniform(2, 30), status="异常")
        o.question_type = "缺货"
        s.label("OUT_OF_STOCK", "ERP_MARKED", o)
    s.order(paid_hours_ago=10, status="已审核",
            lines=[(f"SKU-NEW-9{suffix}", 1)])  # not in the stock export

    # ---- LATE_SHIPMENT -------------------------------------------------------------------
    for h in [r.uniform(50, 90) for _ in range(4)] + [48 + 1 / 60]:
        o = s.order(paid_hours_ago=h, status="已审核")
        s.label("LATE_SHIPMENT", "SLA", o)
    s.order(paid_hours_ago=48 - 1 / 60, status="已审核")
    for _ in range(2):
        o = s.order(paid_hours_ago=20, status="已审核")
        o.promised_ship_by = o.paid_at + dt.timedelta(hours=12)
        s.label("LATE_SHIPMENT", "PROMISED", o)
    o = s.order(paid_hours_ago=20, status="已审核")
    o.promised_ship_by = o.paid_at + dt.timedelta(hours=24)  # deadline still ahead
    s.order(paid_hours_ago=100, status="已取消")

    # ---- DELIVERY_EXCEPTION --------------------------------------------------------------
    for code, subtype in (("14", "REFUSED"), ("203", "REFUSED"), ("6", "RETURNING"),
                          ("4", "RETURNED"), ("206", "UNREACHABLE"), ("207", "OUT_OF_AREA"),
                          ("208", "HELD"), ("209", "DAMAGED"), ("2", "OTHER")):
        o = s.shipped(r.uniform(50, 90))
        s.journey(o, final=code, final_hours_ago=r.uniform(2, 30))
        s.label("DELIVERY_EXCEPTION", subtype, o, o.tracking_no)
    for hours, fires in ((48 + 1 / 60, True), (60, True), (48 - 1 / 60, False), (30, False)):
        o = s.shipped(hours + 30)
        s.journey(o, final="501", final_hours_ago=hours)
        if fires:
            s.label("DELIVERY_EXCEPTION", "LOCKER_UNCOLLECTED", o, o.tracking_no)

    # ---- PROXY_SIGNED --------------------------------------------------------------------
    for code, hours, fires in (("303", 10, True), ("304", 20, True), ("303", 24 - 1 / 60, True),
                               ("303", 24 + 1 / 60, False), ("304", 40, False)):
        o = s.shipped(hours + 40)
        s.journey(o, final=code, final_hours_ago=hours)
        if fires:
            s.label("PROXY_SIGNED", "SIGNED_PROXY" if code == "303" else "SIGNED_LOCKER", o,
                    o.tracking_no)

    # ---- 双11 (2026-11-10 00:00 – 11-12 23:59): pickups relaxed to 72 h -------------------
    def at(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text)

    for shipped, pickup in () if suffix else (
                            ("2026-11-11 02:00", "2026-11-13 10:00"),   # in the window
                            ("2026-11-09 02:00", "2026-11-12 10:00"),   # shipped before it
                            ("2026-11-09 20:00", "2026-11-12 12:00"),   # just before it
                            ("2026-11-10 06:00", None)):                # in it, never picked up
        o = s.shipped((s.as_of - at(shipped)) / dt.timedelta(hours=1), province="浙江",
                      warehouse="杭州仓")
        if pickup:
            o2 = at(pickup)
            area = s.area("浙江")
            s.push(o.tracking_no, o.carrier, [
                (o.shipped_at, "101", "商家已下单，等待快递揽收", area),
                (o2, "103", "快递员已揽收", area),
                *[(o2 + dt.timedelta(hours=6 * k), "1002", "快件运输中", area) for k in (1, 2)],
                (o2 + dt.timedelta(hours=20), "3", "快件已签收，签收人：本人", area)])
        else:
            s.label_unpicked("NO_TRACE", o)

    # ---- an order with two parcels: one delivered, one stalled ---------------------------
    o = s.shipped(70, province="浙江", warehouse="杭州仓")
    s.journey(o, final="3", final_hours_ago=35)
    second = s.number(o.carrier)
    s.journey(o, stop_hours_ago=30, tracking_no=second)
    s.label("STALLED", "ZONE1", o, second)
    o.tracking_no = f"{o.tracking_no},{second}"


def fmt(t: dt.datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def seller_remark(o) -> tuple[str, str]:
    """Remarks and flags agents left in the ERP earlier (the seeds' formats): on every 11th and
    13th order, by number, so the random sample itself stays the same."""
    number = int(o.order_id[3:])
    day = (o.created_at or dt.datetime(2026, 11, 1)).strftime("%Y-%m-%d")
    if number % 11 == 0:
        return f"已催件 kf02 {day}", "蓝"
    if number % 13 == 0:
        return f"快递要求:发顺丰 kf01 {day}", "红"
    return "", ""


def order_rows(s: Sample) -> list[list[str]]:
    """聚水潭-style line rows (order columns repeated on each line)."""
    prices = {sku: price for sku, _, price in SKUS}
    names = {sku: name for sku, name, _ in SKUS}
    rows = []
    for o in s.orders:
        amount = sum(prices.get(sku, 59.0) * qty for sku, qty in o.lines)
        city = PROVINCES.get(o.province.rstrip("省市"), "")
        remark, flag = seller_remark(o)
        for sku, qty in o.lines:
            rows.append([
                o.order_id, f"{4100000000000000 + int(o.order_id[3:]) * 7919}", o.shop, o.status,
                o.question_type, fmt(o.created_at), fmt(o.paid_at), fmt(o.shipped_at),
                fmt(o.promised_ship_by), o.carrier, o.tracking_no, o.receiver[0], o.receiver[1],
                o.province, city, "某区", "幸福路88号", f"{amount:.2f}", o.buyer_message, remark, flag,
                o.warehouse, "普通订单", sku, names.get(sku, "新品"), str(qty),
                f"{prices.get(sku, 59.0):.2f}",
            ])
    return rows


ORDER_FORMATS = ("gbk", "utf8", "xlsx")
TRACKING_FORMATS = ("jsonl", "json", "csv")
NUMERIC_COLUMNS = {"实付金额", "数量", "单价"}


def _write_orders(out: Path, rows: list[list[str]], fmt: str) -> None:
    title = [f"订单明细导出 {SAMPLE_DATE.isoformat()}"]
    total = ["合计"] + [""] * 16 + [f"{sum(float(r[17]) for r in rows):.2f}"]
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("订单明细")

        def cell(value: str, numeric: bool):
            try:  # quantities and money as numbers; a value that is no number stays text
                return float(value) if numeric and value else value
            except ValueError:
                return value

        def text(value):
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                c.data_type = "s"  # a buyer message starting with "=" is text in a real export
            return c

        ws.append(title)
        ws.append(ORDER_HEADERS)
        numeric = [h in NUMERIC_COLUMNS for h in ORDER_HEADERS]
        for row in rows:  # ids and tracking numbers as text, as a careful export has them
            ws.append([text(cell(v, num)) for v, num in zip(row, numeric)])
        ws.append(total)
        wb.save(out / "orders.xlsx")
        return
    with (out / "orders.csv").open("w", encoding="gbk" if fmt == "gbk" else "utf-8",
                                   newline="") as fh:
        w = csv.writer(fh)
        w.writerow(title)
        w.writerow(ORDER_HEADERS)
        w.writerows(rows)
        w.writerow(total)


def _write_tracking(out: Path, pushes: list[dict], fmt: str) -> None:
    if fmt == "jsonl":
        with (out / "tracking.jsonl").open("w", encoding="utf-8") as fh:
            for p in pushes:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    elif fmt == "json":  # bare query responses (lastResult objects), one list
        bare = [dict(p["lastResult"]) for p in pushes]
        (out / "tracking.json").write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    else:  # flat events with text statuses only, no codes
        names = {code: name for name, (code, _) in CARRIERS.items()}
        with (out / "tracking.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["快递单号", "快递公司", "时间", "状态", "轨迹", "地区"])
            for p in pushes:
                r = p["lastResult"]
                for e in r["data"]:
                    w.writerow([r["nu"], names[r["com"]], e["time"], e["status"], e["context"],
                                e["areaName"]])


def write(out: Path, n_orders: int = 2000, seed: int = 20261120, orders_format: str = "gbk",
          tracking_format: str = "jsonl", scan_hours: tuple[float, float] = (3, 9)
          ) -> dict[str, int]:
    """Generate the sample into `out` in the given shapes; returns row counts.

    `scan_hours` spaces a parcel's transit scans (fewer events per parcel when wider)."""
    s = Sample(seed, scan_hours=scan_hours)
    cohort_size = 145  # roughly what `plant` adds besides the normal orders
    # the earlier dates' cohorts first (no normal orders), then the sample date's
    for i, as_of in enumerate(reversed(AS_OF_DATES[1:])):
        s.as_of = as_of
        plant(s, 0, suffix=f"-{as_of:%m%d}")
    s.as_of = AS_OF
    plant(s, max(n_orders - cohort_size * len(AS_OF_DATES), 0))
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("orders.*"), *out.glob("tracking.*")]:
        old.unlink()  # one shape at a time: two shapes of one export would double the orders
    rows = order_rows(s)
    # a bad line on a normal two-line order: rejected, the rest of the order goes on
    victim = next(i for i, row in enumerate(rows[:-1]) if rows[i + 1][0] == row[0]
                  and row[3] == "已完成")
    rows[victim][25] = "两件"
    rows[-1][18] = "=HYPERLINK(\"http://example.invalid\",\"点我\")"
    _write_orders(out, rows, orders_format)
    _write_tracking(out, s.pushes, tracking_format)
    skus = {(o.warehouse, sku) for o in s.orders for sku, _ in o.lines} | set(s.stock)
    # a normal SKU never runs out, however many orders a big sample has
    demand: collections.Counter = collections.Counter()
    for o in s.orders:
        for sku, qty in o.lines:
            demand[(o.warehouse, sku)] += qty
    s.stock_export = {key: s.stock.get(key, max(10_000, 2 * demand[key])) for key in sorted(skus)
                      if not key[1].startswith("SKU-NEW-9")}  # new SKUs the export lacks
    with (out / "inventory.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["商品编码", "仓库", "实际库存", "订单占有数", "采购在途数", "预计到货日期"])
        for (warehouse, sku), on_hand in s.stock_export.items():
            eta = "2026-11-25" if sku.startswith("SKU-OOS-1") else ""
            w.writerow([sku, warehouse, on_hand, 0, 20 if eta else 0, eta])
    with (out / "agents.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agent_id", "name", "team", "capacity", "active"])
        w.writerows([["kf01", "小林", "售中", 30, "Y"], ["kf02", "小周", "售中", 30, "Y"],
                     ["kf03", "小陈", "售中", 20, "Y"], ["kf04", "小吴", "售中", 30, "N"],
                     ["kf05", "小何", "售后", 15, "Y"], ["kf06", "小罗", "售后", 15, "Y"]])
    truth = ground_truth(s)
    with (out / "ground_truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["as_of", "anomaly_type", "subtype", "order_id", "tracking_no"])
        w.writerows(truth)
    return {"orders": len(s.orders), "lines": len(rows), "pushes": len(s.pushes),
            "anomalies": sum(1 for t in truth if t[0] == AS_OF.isoformat(sep=" "))}


def ground_truth(s: Sample) -> list[tuple[str, ...]]:
    """Labels for every date of AS_OF_DATES from the independent oracle (`oracle.py`).

    Each date's cohort was planted with labels by construction; the generator checks that
    the oracle gives exactly those for that cohort's orders (other cohorts' orders also show
    up at other dates, in whatever state they are then: only the oracle labels those).
    """
    rows = []
    for as_of in AS_OF_DATES:
        found = expected_anomalies(s, as_of, s.zones, s.promotions)
        own = {a for a in found if s.cohort[a[2]] == as_of}
        planted = s.planted.get(as_of, set())
        if own != planted:
            raise AssertionError(f"{as_of}: oracle and planted labels disagree: only planted "
                                 f"{sorted(planted - own)}, only oracle {sorted(own - planted)}")
        rows += [(as_of.isoformat(sep=" "), *a) for a in sorted(found)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: sample_data/)")
    parser.add_argument("--orders", type=int, default=2000, help="number of orders (≈)")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--orders-format", choices=ORDER_FORMATS, default="gbk",
                        help="orders export: GBK CSV (聚水潭 default), UTF-8 CSV or XLSX")
    parser.add_argument("--tracking-format", choices=TRACKING_FORMATS, default="jsonl",
                        help="Kuaidi100 push JSONL, a JSON list of query responses, or flat CSV "
                             "with text statuses only")
    args = parser.parse_args()
    counts = write(args.out, args.orders, args.seed, args.orders_format, args.tracking_format)
    print(", ".join(f"{k} {v}" for k, v in counts.items()), "→", args.out)


if __name__ == "__main__":
    main()
