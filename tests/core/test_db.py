"""core.db: registering Python data on a connection with a result still unread."""

import duckdb
import pandas as pd

from core.db import inline_models, register


def test_a_frame_registers_after_a_result_read_only_in_part():
    con = duckdb.connect()
    try:
        assert con.execute("select * from range(3)").fetchone() == (0,)
        register(con, "frame", pd.DataFrame({"a": [1, 2]}))
        assert con.execute("select sum(a) from frame").fetchall() == [(3,)]
    finally:
        con.close()


def test_a_model_named_only_in_a_comment_or_a_longer_name_is_not_inlined():
    sql = "select * from stg_events_archive -- not stg_events itself"
    assert inline_models(sql, {"stg_events": "staging/events"}) == sql

