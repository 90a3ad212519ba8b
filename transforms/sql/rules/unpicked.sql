-- UNPICKED 揽收超时: a shipped parcel with no event other than ORDERED at or before $as_of.
-- grain: (order_id, tracking_no)
-- params: $as_of, $unpicked, $unpicked_promo (hours)
with

orders as (
    select * from stg_orders
),

parcels as (
    select * from stg_parcels
),

status as (
    select * from stg_parcel_status
),

facts as (
    -- Kuaidi100 gave up polling (e.g. 3天查询无记录): worth telling the agent
    select * from stg_parcel_facts
),

shipped_parcels as (
    select
        o.order_id,
        p.tracking_no,
        o.shipped_at_seen as shipped_at,
        o.promotion,
        coalesce(s.n_events, 0) as n_events,
        coalesce(s.n_after_order, 0) as n_after_order,
        f.abort_message
    from orders o
    join parcels p using (order_id)
    left join status s using (tracking_no)
    left join facts f using (tracking_no)
    -- a mangled number cannot be looked up: WRONG_TRACKING_NO reports it instead
    where o.is_shipped and not p.is_mangled
),

measured as (
    select
        *,
        date_diff('second', shipped_at, $as_of) / 3600.0 as elapsed_hours,
        case when promotion is not null then $unpicked_promo else $unpicked end
            as threshold_hours
    from shipped_parcels
    where n_after_order = 0
),

final as (
    select
        'UNPICKED' as anomaly_type,
        case when n_events = 0 then 'NO_TRACE' else 'WAITING_PICKUP' end as subtype,
        order_id,
        tracking_no,
        cast(null as varchar) as sku,
        shipped_at as ref_time,
        elapsed_hours,
        threshold_hours,
        concat(
            case when promotion is not null then format(label('promotion_note'), promotion) end,
            case when abort_message is not null
                 then format(label('kuaidi100_abort'), abort_message) end
        ) as detail
    from measured
    where elapsed_hours > threshold_hours
)

select * from final
