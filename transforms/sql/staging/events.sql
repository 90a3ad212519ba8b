-- Tracking events as a run at $as_of sees them: cleaned numbers, canonical status, duplicates
-- across pushes removed (same number, time and text).
-- grain: (tracking_no, event_time, context)
-- params: $as_of
with

raw as (
    select * from tracking_csv
    where event_time <= $as_of
),

codes as (
    select * from status_codes
),

numbers as (
    -- cleaning is regex work: once per distinct number, not once per event
    select raw, repair_tracking_token(clean_tracking_token(raw)) as tracking_no
    from (select distinct tracking_no as raw from raw)
),

deduplicated as (
    -- each push repeats the whole history: keep the first copy of each event
    select
        n.tracking_no,
        r.event_time,
        r.context,
        r.area,
        r.status_code,
        r.state,
        r.status_text,
        r._file,
        r._row
    from raw r
    join numbers n on n.raw = r.tracking_no
    qualify row_number() over (
        partition by n.tracking_no, r.event_time, r.context order by r._file, r._row
    ) = 1
),

classified as (
    select
        d.*,
        coalesce(d.status_code, d.state) as code,
        case
            when c_adv.status is not null then c_adv.status
            when c_state.status is not null then c_state.status
            else status_from_text(d.status_text, d.context)
        end as status,
        coalesce(c_adv.exception_subtype, c_state.exception_subtype) as code_subtype
    from deduplicated d
    left join codes c_adv on c_adv.code = d.status_code
    left join codes c_state on c_state.code = d.state
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
        _file,
        _row
    from classified
)

select * from final
