-- PROXY_SIGNED 代签提醒: the latest event is a proxy or locker signature within the last
-- proxy_signed_window hours: tell the customer where the parcel is before they complain.
-- grain: (order_id, tracking_no)
-- params: $as_of, $proxy_signed_window (hours)
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

signed as (
    select
        o.order_id,
        p.tracking_no,
        s.latest_status,
        s.latest_at,
        s.latest_context,
        date_diff('second', s.latest_at, $as_of) / 3600.0 as elapsed_hours
    from orders o
    join parcels p using (order_id)
    join status s using (tracking_no)
    where o.is_shipped
      and s.latest_status in ('SIGNED_PROXY', 'SIGNED_LOCKER')
),

final as (
    select
        'PROXY_SIGNED' as anomaly_type,
        latest_status as subtype,
        order_id,
        tracking_no,
        cast(null as varchar) as sku,
        latest_at as ref_time,
        elapsed_hours,
        $proxy_signed_window as threshold_hours,
        label('subtype.' || latest_status) || coalesce('（' || left(latest_context, 60) || '）', '')
            as detail
    from signed
    where elapsed_hours <= $proxy_signed_window
)

select * from final
