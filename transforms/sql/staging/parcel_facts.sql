-- Kuaidi100 facts per cleaned tracking number: the latest carrier correction (comNew) and the
-- latest message of a push that gave up polling (abort, e.g. 3天查询无记录).
-- grain: tracking_no
-- params: none; reads tracking_meta
with

meta as (
    select * from tracking_meta
),

cleaned as (
    select
        repair_tracking_token(clean_tracking_token(tracking_no)) as tracking_no,
        com_new,
        push_status,
        message,
        _file,
        _row
    from meta
),

final as (
    -- these facts carry no time: the latest push (file, line) says last
    select
        tracking_no,
        arg_max(com_new, (_file, _row)) filter (where com_new is not null) as com_new,
        arg_max(message, (_file, _row)) filter (where push_status = 'abort') as abort_message
    from cleaned
    group by tracking_no
)

select * from final
