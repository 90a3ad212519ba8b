-- Kuaidi100 documents parsed once: a push (`lastResult` inside) or a bare query response.
-- grain: one row per non-blank line of raw_tracking_docs; `doc` is null when the line is not
-- valid JSON (the caller rejects those lines)
-- params: none
with

lines as (
    select _file, _row, line from raw_tracking_docs where line <> ''
),

parsed as (
    select
        _file,
        _row,
        line,
        try(from_json(line, '{
            "status": "VARCHAR", "message": "VARCHAR", "autoCheck": "VARCHAR",
            "comOld": "VARCHAR", "comNew": "VARCHAR",
            "lastResult": {"nu": "VARCHAR", "com": "VARCHAR", "state": "VARCHAR",
                           "message": "VARCHAR",
                           "data": [{"time": "VARCHAR", "ftime": "VARCHAR", "context": "VARCHAR",
                                     "areaName": "VARCHAR", "status": "VARCHAR",
                                     "statusCode": "VARCHAR"}]},
            "nu": "VARCHAR", "com": "VARCHAR", "state": "VARCHAR",
            "data": [{"time": "VARCHAR", "ftime": "VARCHAR", "context": "VARCHAR",
                      "areaName": "VARCHAR", "status": "VARCHAR", "statusCode": "VARCHAR"}]
        }')) as doc
    from lines
),

final as (
    select
        _file,
        _row,
        case when doc is null then left(line, 120) end as broken_line,
        nullif(trim(coalesce(doc.lastResult.nu, doc.nu)), '') as tracking_no,
        nullif(trim(coalesce(doc.lastResult.com, doc.com)), '') as carrier,
        doc.status as push_status,
        coalesce(doc.message, doc.lastResult.message) as message,
        doc.autoCheck = '1' as auto_check,
        nullif(trim(doc.comNew), '') as com_new,
        coalesce(doc.lastResult.state, doc.state) as state,
        coalesce(doc.lastResult.data, doc.data, []) as data
    from parsed
)

select * from final
