-- Kuaidi100 documents parsed once: a push (`lastResult` inside) or a bare query response.
-- grain: one row per non-blank line of raw_tracking_docs (parsed here) and per document of
-- raw_tracking_parsed (files DuckDB's JSON reader parsed whole); `broken_line` is set when a
-- line is not valid JSON (the caller rejects those lines)
-- params: $document_schema (schemas.profiles.KUAIDI100_DOCUMENT as JSON)
with

lines as (
    select _file, _row, line from raw_tracking_docs where line <> ''
),

parsed as (
    select _file, _row, line, try(from_json(line, $document_schema)) as doc
    from lines
    union all
    select _file, _row, null as line, doc
    from raw_tracking_parsed
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
