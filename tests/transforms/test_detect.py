"""Every rule file keeps the common shape, and all rules run as one statement."""

import duckdb
import pytest

from core.config import load_config
from tests.helpers import AS_OF, load, order
import re

from core.db import bind, params_used, sql_text
from transforms.detect import RULE_COLUMNS, RULES, rule_params, rules_union_sql, build_staging


@pytest.fixture(scope="module")
def staged():
    con = duckdb.connect()
    load(con, orders=[order()])
    build_staging(con, load_config(), AS_OF)
    yield con
    con.close()


@pytest.mark.parametrize("rule", RULES)
def test_rule_returns_the_common_columns(staged, rule):
    sql = sql_text(f"rules/{rule}")
    params = bind(sql, rule_params(load_config(), AS_OF))
    columns = [d[0] for d in staged.execute(f"select * from ({sql}) limit 0", params).description]
    assert tuple(columns) == RULE_COLUMNS


def test_every_registered_rule_is_in_the_one_union_statement(staged):
    from core.registry import RULES as REGISTRY

    assert set(RULES) == {rule.name for rule in REGISTRY.values()} and RULES
    sql = rules_union_sql()
    assert sql.count(f"select {', '.join(RULE_COLUMNS)} from (") == len(RULES)
    # one execute() of one prepared statement: DuckDB refuses several statements with params
    result = staged.execute(sql, bind(sql, rule_params(load_config(), AS_OF)))
    assert tuple(d[0] for d in result.description) == RULE_COLUMNS
    result.fetchall()


@pytest.mark.parametrize("rule", RULES)
def test_header_comment_names_the_parameters_it_binds(rule):
    sql = sql_text(f"rules/{rule}")
    header = "".join(line for line in sql.splitlines() if line.startswith("--"))
    named = set(re.findall(r"\$(\w+)", header.split("params:", 1)[1]))
    assert named == params_used(sql)
