-- DELIVERY_EXCEPTION 派送异常: the latest event is a problem, a refusal or a return, or the
-- parcel has waited in a locker/station longer than locker_uncollected.
-- grain: (order_id, tracking_no)
-- params: $as_of, $locker_uncollected (hours)
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

latest as (
    select
        o.order_id,
        p.tracking_no,
        s.latest_status,
        s.latest_at,
        s.latest_context,
        case
            when s.latest_code_subtype is not null then s.latest_code_subtype
            when s.latest_status = 'REFUSED' then 'REFUSED'
            when s.latest_status = 'RETURNING' then 'RETURNING'
            when s.latest_status = 'RETURN_SIGNED' then 'RETURNED'
            when s.latest_status = 'AT_LOCKER' then 'LOCKER_UNCOLLECTED'
            -- without a code, the text names it as Kuaidi100's sub-states would
            else coalesce(scan_problem_subtype(scan_facts(s.latest_context)), 'OTHER')
        end as subtype,
        date_diff('second', s.latest_at, $as_of) / 3600.0 as elapsed_hours
    from orders o
    join parcels p using (order_id)
    join status s using (tracking_no)
    where o.is_shipped
      and s.latest_status in ('PROBLEM', 'REFUSED', 'RETURNING', 'RETURN_SIGNED', 'AT_LOCKER')
),

final as (
    select
        'DELIVERY_EXCEPTION' as anomaly_type,
        subtype,
        order_id,
        tracking_no,
        cast(null as varchar) as sku,
        latest_at as ref_time,
        elapsed_hours,
        case when latest_status = 'AT_LOCKER' then $locker_uncollected end as threshold_hours,
        label('subtype.' || subtype) || coalesce('（' || left(latest_context, 60) || '）', '')
            as detail
    from latest
    where latest_status <> 'AT_LOCKER' or elapsed_hours > $locker_uncollected
)

select * from final
