-- Events of Kuaidi100 push records and bare query responses, in the flat tracking shape.
-- grain: one row per event in a document (duplicates across pushes removed later)
-- params: none; reads raw_tracking_docs(_file, _row, line) holding one JSON document a row
with

docs as (
    select _file, _row, line::json as doc
    from raw_tracking_docs
    where json_valid(line)
),

results as (
    select
        _file,
        _row,
        -- a push wraps the query response in lastResult; a bare response is the object itself
        coalesce(doc -> 'lastResult', doc) as result
    from docs
),

events as (
    select
        _file,
        _row,
        result ->> 'nu' as tracking_no,
        result ->> 'com' as carrier,
        unnest(from_json(
            coalesce(result -> 'data', '[]'),
            '[{"time": "VARCHAR", "ftime": "VARCHAR", "context": "VARCHAR",
               "areaName": "VARCHAR", "status": "VARCHAR", "statusCode": "VARCHAR"}]'
        )) as e
    from results
),

final as (
    select
        _file,
        _row,
        nullif(trim(tracking_no), '') as tracking_no,
        nullif(trim(carrier), '') as carrier,
        nullif(trim(coalesce(e.time, e.ftime)), '') as event_time,
        cast(null as varchar) as state,
        nullif(trim(e.statusCode), '') as status_code,
        nullif(trim(e.status), '') as status_text,
        e.context as context,
        nullif(trim(e.areaName), '') as area
    from events
)

select * from final
