-- LATE_SHIPMENT 发货超时: paid, not shipped, not cancelled, and $as_of is past the ship
-- deadline (the promised ship time when the export has it, else paid_at + ship_sla).
-- grain: order_id
-- params: $as_of, $ship_sla (hours)
with

orders as (
    select * from stg_orders
),

waiting as (
    select
        order_id,
        paid_at_seen,
        promised_ship_by,
        date_diff('second', paid_at_seen, $as_of) / 3600.0 as elapsed_hours,
        case
            when promised_ship_by is not null
                then date_diff('second', paid_at_seen, promised_ship_by) / 3600.0
            else $ship_sla
        end as threshold_hours
    from orders
    where is_awaiting_shipment
),

final as (
    select
        'LATE_SHIPMENT' as anomaly_type,
        case when promised_ship_by is not null then 'PROMISED' else 'SLA' end as subtype,
        order_id,
        cast(null as varchar) as tracking_no,
        cast(null as varchar) as sku,
        paid_at_seen as ref_time,
        elapsed_hours,
        threshold_hours,
        label('subtype.' || case when promised_ship_by is not null then 'PROMISED' else 'SLA' end)
            as detail
    from waiting
    where elapsed_hours > threshold_hours
)

select * from final
