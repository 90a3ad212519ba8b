-- Tracking events as a run at $as_of sees them: cleaned numbers, canonical status, duplicates
-- across pushes removed (same number, time and text).
-- grain: (tracking_no, event_time, context)
-- params: $as_of
with

raw as (
    select * from tracking_csv
),

codes as (
    select * from status_codes
),

normalised as (
    select
        repair_tracking_token(clean_tracking_token(r.tracking_no)) as tracking_no,
        r.carrier,
        r.event_time,
        coalesce(r.status_code, r.state) as code,
        coalesce(c_adv.status, c_state.status, status_from_text(r.status_text, r.context))
            as status,
        coalesce(c_adv.exception_subtype, c_state.exception_subtype) as code_subtype,
        r.context,
        r.area,
        nullif(norm_province(regexp_extract(r.area, '^([^,，\s]+)', 1)), '') as province,
        r._file,
        r._row
    from raw r
    left join codes c_adv on c_adv.code = r.status_code
    left join codes c_state on c_state.code = r.state
),

deduplicated as (
    select distinct on (tracking_no, event_time, coalesce(context, '')) *
    from normalised
    order by tracking_no, event_time, coalesce(context, ''), _file, _row
),

final as (
    select * from deduplicated
    where event_time <= $as_of
)

select * from final
