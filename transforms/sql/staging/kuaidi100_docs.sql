-- Kuaidi100 documents: a push (`lastResult` inside) or a bare query response.
-- grain: one row per non-blank line of the tracking JSON files (raw_tracking_parsed: each
-- line parsed once by schemas.ingest, or a whole file parsed by DuckDB's JSON reader, whose
-- documents are stored in this shape as they are parsed); `broken_line` is set when a line
-- is not valid JSON (the caller rejects those lines)
-- params: none
with

parsed as (
    select _file, _row, line, doc from raw_tracking_parsed
),

final as (
    select
        _file,
        _row,
        -- valid JSON of another shape (`null`, a list) is a document without a number
        case when doc is null and not coalesce(json_valid(line), false)
             then left(line, 120) end as broken_line,
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
