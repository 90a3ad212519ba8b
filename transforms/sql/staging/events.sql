-- Tracking events as a run at $as_of sees them: cleaned numbers, canonical status, duplicates
-- across pushes removed (same number, time and text).
-- grain: (tracking_no, event_time, context)
-- params: $as_of
with

raw as not materialized (
    select * from tracking_csv
    where event_time <= $as_of
),

codes as (
    select * from status_codes
),

files as (
    -- the files in name order, so that (file, row) orders as one number below:
    -- file_order * 2^40 + row (no export has 2^40 lines)
    select _file, row_number() over (order by _file) as file_order
    from (select distinct _file from raw)
),

numbers as (
    -- cleaning is regex work: once per distinct number, not once per event
    select raw, repair_tracking_token(clean_tracking_token(raw)) as tracking_no
    from (select distinct tracking_no as raw from raw)
),

deduplicated as (
    -- each push repeats the whole history: keep the first copy (by file, then row) of each
    -- event; a hash aggregate, as a window would sort every event
    select
        n.tracking_no,
        r.event_time,
        r.context,
        arg_min({'area': r.area, 'status_code': r.status_code, 'state': r.state,
                 'status_text': r.status_text, '_file': r._file, '_row': r._row},
                f.file_order * 1099511627776 + r._row) as first_copy
    from raw r
    join numbers n on n.raw = r.tracking_no
    join files f using (_file)
    group by n.tracking_no, r.event_time, r.context
),

unpacked as (
    select tracking_no, event_time, context, unnest(first_copy) from deduplicated
),

classified as (
    select
        d.*,
        coalesce(d.status_code, d.state) as code,
        coalesce(c_adv.status, c_state.status, status_from_text(d.status_text, d.context))
            as read_status,
        coalesce(c_adv.exception_subtype, c_state.exception_subtype) as code_subtype
    from unpacked d
    left join codes c_adv on c_adv.code = d.status_code
    left join codes c_state on c_state.code = d.state
),

read as (
    -- a text with no cue at all is read as in transit, and warned about (warnings.csv)
    select *, coalesce(read_status, 'IN_TRANSIT') as status, read_status is null as unclassified
    from classified
),

final as (
    select
        tracking_no,
        event_time,
        code,
        status,
        code_subtype,
        context,
        area,
        -- the province only matters where the parcel is delivered (DEST_MISMATCH)
        case when status in ('OUT_FOR_DELIVERY', 'SIGNED', 'SIGNED_PROXY', 'SIGNED_LOCKER')
             then nullif(norm_province(regexp_extract(area, '^([^,，\s]+)', 1)), '')
        end as province,
        unclassified,
        _file,
        _row
    from read
)

select * from final
