-- Parcel-level facts of Kuaidi100 documents: push status, no-record aborts, carrier corrections.
-- grain: one row per document (a parcel may have several pushes; the latest line wins later)
-- params: none; reads raw_tracking_docs(_file, _row, line)
with

docs as (
    select _file, _row, line::json as doc
    from raw_tracking_docs
    where json_valid(line)
),

final as (
    select
        _file,
        _row,
        nullif(trim(coalesce(doc -> 'lastResult', doc) ->> 'nu'), '') as tracking_no,
        nullif(trim(coalesce(doc -> 'lastResult', doc) ->> 'com'), '') as carrier,
        doc ->> 'status' as push_status,
        coalesce(doc ->> 'message', coalesce(doc -> 'lastResult', doc) ->> 'message') as message,
        doc ->> 'autoCheck' = '1' as auto_check,
        nullif(trim(doc ->> 'comNew'), '') as com_new,
        coalesce(doc -> 'lastResult', doc) ->> 'state' as state
    from docs
)

select * from final
