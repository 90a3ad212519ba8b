"""Carrier registry: ERP display names → Kuaidi100 `com` codes, and tracking-number patterns.

Patterns: docs/domain.md (tracking numbers), measured against public test vectors in
tests/fixtures/tracking_numbers/ (each with its source). Formats changed over time, so each carrier lists its modern patterns and the legacy ones still seen in old data.
A number may fit several carriers (12-digit SF/ZTO/STO, 13-digit Yunda/EMS): the rules work
with the *set* of candidate carriers, never a single guess. Matching itself runs in DuckDB
(`transforms/sql/staging/carrier_patterns` table + macros), so this module is data only.
"""

from __future__ import annotations

import re
import re._parser as re_parser
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Carrier:
    """One courier: its Kuaidi100 code, display name, ERP aliases and number patterns."""

    code: str
    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    legacy_patterns: tuple[str, ...] = field(default=())
    # "s10": UPU S10 check digit must hold for S10-shaped numbers of this carrier
    check: str | None = None


S10 = r"[A-Z]{2}\d{9}[A-Z]{2}"

BUILTIN: tuple[Carrier, ...] = (
    Carrier("shunfeng", "顺丰速运", ("顺丰", "顺丰快递", "顺丰标快", "顺丰特快", "SF", "SF EXPRESS"),
            (r"SF\d{13}",), (r"\d{12}",)),
    Carrier("zhongtong", "中通快递", ("中通", "ZTO", "中通速递"),
            (r"7[3-68]\d{12}",), (r"\d{12}",)),
    Carrier("yuantong", "圆通速递", ("圆通", "圆通快递", "YTO"),
            (r"YT\d{13}",), (r"D\d{11}", r"88\d{16}", r"[68V][0-9A-Z]{9}")),
    Carrier("shentong", "申通快递", ("申通", "STO"),
            (r"77\d{13}",), (r"\d{12}", r"77\d{12}")),
    Carrier("yunda", "韵达快递", ("韵达", "韵达速递", "YUNDA"),
            (r"[34]\d{14}",), (r"\d{13}",)),
    # 百世 (Best) China express was taken over by J&T; its numbers are J&T numbers
    Carrier("jtexpress", "极兔速递", ("极兔", "极兔快递", "J&T", "JT", "百世快递", "百世"),
            (r"JT\d{13}",)),
    Carrier("jd", "京东物流", ("京东", "京东快递", "京东速运", "JD"),
            (r"JDV[A-Z]\d{11}", r"JD[XK]\d{12}", r"JDAWX\d{12}")),
    Carrier("ems", "EMS", ("中国邮政EMS", "邮政EMS", "EMS快递", "邮政特快专递"),
            (S10, r"(10|11|12|50|51|52|95|97)\d{11}"), check="s10"),
    Carrier("youzhengguonei", "邮政快递包裹", ("中国邮政", "邮政包裹", "邮政国内", "邮政快递", "邮政"),
            (r"9[689]\d{11}", S10), check="s10"),
    Carrier("debangkuaidi", "德邦快递", ("德邦", "德邦物流", "DEPPON"),
            (r"DPK\d{12}",), (r"\d{8,10}",)),
)


def build_registry(overrides: dict[str, dict[str, Any]] | None = None) -> list[Carrier]:
    """The built-in registry with `[carriers.<code>]` configuration merged over it.

    A configured carrier's aliases and patterns are added to the built-in ones; an unknown
    code adds a new carrier.
    """
    by_code = {c.code: c for c in BUILTIN}
    for code, extra in (overrides or {}).items():
        base = by_code.get(code, Carrier(code, extra.get("name", code), (), ()))
        by_code[code] = Carrier(
            code=code,
            name=extra.get("name", base.name),
            aliases=base.aliases + tuple(extra.get("aliases", ())),
            patterns=base.patterns + tuple(extra.get("patterns", ())),
            legacy_patterns=base.legacy_patterns,
            check=base.check,
        )
    return list(by_code.values())


def alias_rows(registry: list[Carrier]) -> list[tuple[str, str]]:
    """(alias, code) rows; aliases are upper-cased and matched after trimming."""
    rows = []
    for c in registry:
        for alias in (c.code, c.name, *c.aliases):
            rows.append((alias.strip().upper(), c.code))
    return sorted(set(rows))


def pattern_rows(registry: list[Carrier]) -> list[tuple[str, str, str, bool]]:
    """(code, anchored regex, era, needs_s10_check) rows for the `carrier_patterns` table."""
    rows = []
    for c in registry:
        for era, patterns in (("modern", c.patterns), ("legacy", c.legacy_patterns)):
            for p in patterns:
                rows.append((c.code, f"^(?:{p})$", era, c.check == "s10" and p == S10))
    return rows


# Patterns made only of these pieces have the same length in characters in RE2 (DuckDB) and
# in Python's parser, which measures it: ASCII letters and digits, \d, classes of those,
# groups, alternation, the anchors ^ $ and the quantifiers ? * + {m} {m,} {m,n}. RE2 reads
# some other syntax differently (`[[:digit:]]`, `a{,3}`), so a pattern with it gets no
# length check.
_PLAIN_PATTERN = re.compile(
    r"(?:[A-Za-z0-9]|\\d|\[(?:[A-Za-z0-9-]|\\d)+\]|\((?:\?:)?|\)|\||[?*+^$]"
    r"|\{\d+(?:,\d*)?\})*")


def _length_check(pattern: str) -> str:
    """A cheap SQL test on `n` that holds for every text `pattern` fully matches ("" when
    the pattern's length cannot be measured safely): most numbers fail it, and with it
    the regular expression is not run."""
    if not _PLAIN_PATTERN.fullmatch(pattern):
        return ""
    try:
        low, high = re_parser.parse(pattern).getwidth()
    except re.error:
        return ""
    if low == high:
        return f"length(n) = {low} and "
    if high >= re_parser.MAXREPEAT:
        return f"length(n) >= {low} and "
    return f"length(n) between {low} and {high} and "


def candidates_macro_sql(registry: list[Carrier]) -> str:
    """`create macro candidate_carriers(n)`: the sorted codes whose patterns `n` fits.

    Generated from the registry so that every regex is a constant DuckDB compiles once
    (a pattern taken from a joined table is recompiled on every row: 400x slower). One
    test per carrier, in code order, so the list needs no sort or dedup; each regex behind
    a length check, so a number runs the few regexes of its length, not all of them.
    """
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    tests: dict[str, list[str]] = {}
    for code, regex, _, s10 in pattern_rows(registry):
        check = " and s10_check_ok(n)" if s10 else ""
        tests.setdefault(code, []).append(
            f"({_length_check(regex)}regexp_full_match(n, {literal(regex)}){check})")
    arms = [f"case when {' or '.join(t)} then {literal(code)} end"
            for code, t in sorted(tests.items())]
    return ("create or replace macro candidate_carriers(n) as list_filter([\n    "
            + ",\n    ".join(arms) + "\n], lambda c: c is not null)")


def candidate_carriers(con, numbers: list[str]) -> dict[str, list[str]]:
    """For each number (cleaned and repaired as the rules do), the carriers it may belong to.

    `con` must have the reference tables and macros (`transforms.reference`).
    """
    rows = con.execute("""
        select raw, candidate_carriers(repair_tracking_token(clean_tracking_token(raw)))
        from unnest($numbers) t(raw)
    """, {"numbers": numbers}).fetchall()
    return dict(rows)
