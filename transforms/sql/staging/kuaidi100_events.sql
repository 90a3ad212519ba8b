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

fields as (
    select _file, _row, tracking_no, carrier, coalesce(e.time, e.ftime) as time_text,
           e.statusCode as code_text, e.status, e.context, e.areaName
    from events
),

final as (
    select
        _file,
        _row,
        tracking_no,
        carrier,
        -- times and codes are ASCII: trim (which copies every value, and reads it for
        -- Unicode spaces) only one that starts or ends with a space or is not plain ASCII
        nullif(case when starts_with(time_text, ' ') or ends_with(time_text, ' ')
                      or strlen(time_text) <> length(time_text) then trim(time_text)
                    else time_text end, '') as event_time,
        cast(null as varchar) as state,
        nullif(case when starts_with(code_text, ' ') or ends_with(code_text, ' ')
                      or strlen(code_text) <> length(code_text) then trim(code_text)
                    else code_text end, '') as status_code,
        nullif(trim(status), '') as status_text,
        context,
        nullif(trim(areaName), '') as area
    from fields
)

select * from final
