-- STALLED 物流停滞: a picked-up, unfinished parcel whose latest event is older than the zone
-- threshold of the receiver's province for the shipping warehouse.
-- grain: (order_id, tracking_no)
-- params: $as_of, $stalled_zone1, $stalled_zone2, $stalled_zone3 (hours)
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

moving as (
    select
        o.order_id,
        p.tracking_no,
        o.zone,
        s.latest_at
    from orders o
    join parcels p using (order_id)
    join status s using (tracking_no)
    where o.is_shipped
      and s.n_after_order > 0
      and not s.is_terminal
      -- these latest states are another rule's business (or waiting for the customer)
      and s.latest_status not in ('PROBLEM', 'REFUSED', 'RETURNING', 'FORWARDED', 'AT_LOCKER')
),

measured as (
    select
        *,
        date_diff('second', latest_at, $as_of) / 3600.0 as elapsed_hours,
        case zone when 1 then $stalled_zone1 when 2 then $stalled_zone2 else $stalled_zone3 end
            as threshold_hours
    from moving
),

final as (
    select
        'STALLED' as anomaly_type,
        'ZONE' || zone as subtype,
        order_id,
        tracking_no,
        cast(null as varchar) as sku,
        latest_at as ref_time,
        elapsed_hours,
        threshold_hours,
        label('zone.' || zone) as detail
    from measured
    where elapsed_hours > threshold_hours
)

select * from final
