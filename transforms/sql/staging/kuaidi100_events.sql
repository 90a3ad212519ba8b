-- Events of Kuaidi100 documents, in the flat tracking shape.
-- grain: one row per event in a document (duplicates across pushes are removed later)
-- params: none; reads k100_docs (staging/kuaidi100_docs)
with

docs as (
    select * from k100_docs where tracking_no is not null
),

events as (
    select _file, _row, tracking_no, carrier, unnest(data) as e
    from docs
),

final as (
    select
        _file,
        _row,
        tracking_no,
        carrier,
        nullif(trim(coalesce(e.time, e.ftime)), '') as event_time,
        cast(null as varchar) as state,
        nullif(trim(e.statusCode), '') as status_code,
        nullif(trim(e.status), '') as status_text,
        e.context as context,
        nullif(trim(e.areaName), '') as area
    from events
)

select * from final
