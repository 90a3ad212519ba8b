-- WRONG_TRACKING_NO 单号异常: a shipped order's number is missing, damaged, malformed, of
-- another carrier, forwarded, reused by another receiver, older than the order, or delivered
-- elsewhere. Subtype = the first that applies in that order; the detail names every one.
-- grain: (order_id, tracking_no); tracking_no is null for MISSING
-- params: $duplicate_window_days
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
    -- Kuaidi100 autoCheck found another carrier (comNew)
    select * from stg_parcel_facts
),

carrier_names as (
    select * from carriers
),

shipped as (
    select * from orders where is_shipped
),

missing as (
    select o.order_id
    from shipped o
    where not exists (select 1 from parcels p where p.order_id = o.order_id)
),

shared as (
    -- the numbers on more than one order (few): only their parcels are paired below
    select * from parcels
    where tracking_no in (select tracking_no from parcels group by tracking_no
                          having count(*) > 1)
),

reused as (
    -- the same number on orders of different receivers shipped within the window
    select
        a.order_id,
        a.tracking_no,
        string_agg(distinct b.order_id, '、' order by b.order_id) as other_orders
    from shared a
    join shipped ao on ao.order_id = a.order_id
    join shared b on b.tracking_no = a.tracking_no and b.order_id <> a.order_id
    join shipped bo on bo.order_id = b.order_id
    where not a.is_mangled
      and ao.receiver_key <> bo.receiver_key
      and abs(date_diff('second', ao.shipped_at_seen, bo.shipped_at_seen))
          <= $duplicate_window_days * 86400
    group by a.order_id, a.tracking_no
),

checked as (
    select
        o.order_id,
        p.tracking_no,
        p.tracking_raw,
        p.damage,
        o.carrier,
        o.carrier_code,
        o.paid_at_seen,
        o.province_norm,
        p.candidate_carriers,
        p.is_mangled as is_mangled,
        not p.is_mangled and len(p.candidate_carriers) = 0 as is_bad_format,
        not p.is_mangled and len(p.candidate_carriers) > 0 and o.carrier_code is not null
            and not list_contains(p.candidate_carriers, o.carrier_code) as is_carrier_mismatch,
        coalesce(s.has_forwarded_event, false)
            or (f.com_new is not null and f.com_new is distinct from o.carrier_code)
            as is_forwarded,
        f.com_new,
        r.other_orders is not null as is_duplicate,
        r.other_orders,
        s.first_event_at,
        s.first_event_at < o.paid_at_seen - interval 1 hour as is_before_ship,
        list_filter(coalesce(s.delivery_provinces, []), lambda x: x <> o.province_norm)
            as wrong_provinces
    from shipped o
    join parcels p using (order_id)
    left join status s using (tracking_no)
    left join facts f using (tracking_no)
    left join reused r on r.order_id = o.order_id and r.tracking_no = p.tracking_no
),

flagged as (
    select
        *,
        len(wrong_provinces) > 0 and province_norm is not null as is_dest_mismatch
    from checked
),

typed as (
    select
        *,
        case
            when is_mangled then 'MANGLED'
            when is_bad_format then 'BAD_FORMAT'
            when is_carrier_mismatch then 'CARRIER_MISMATCH'
            when is_forwarded then 'FORWARDED'
            when is_duplicate then 'DUPLICATE'
            when is_before_ship then 'BEFORE_SHIP'
            when is_dest_mismatch then 'DEST_MISMATCH'
        end as subtype
    from flagged
),

described as (
    select
        order_id,
        tracking_no,
        subtype,
        concat_ws('；',
            case when is_mangled
                 then format(label('wrong_no.MANGLED'), tracking_raw,
                             coalesce(label('damage.' || damage), damage)) end,
            case when is_bad_format
                 then format(label('wrong_no.BAD_FORMAT'), tracking_no) end,
            case when is_carrier_mismatch
                 then format(label('wrong_no.CARRIER_MISMATCH'), tracking_no, carrier,
                             (select string_agg(name, '/' order by name) from carrier_names
                              where list_contains(candidate_carriers, code))) end,
            case when is_forwarded
                 then format(label('wrong_no.FORWARDED'),
                             coalesce((select name from carrier_names where code = com_new),
                                      com_new, '其他快递')) end,
            case when is_duplicate
                 then format(label('wrong_no.DUPLICATE'), other_orders) end,
            case when is_before_ship
                 then format(label('wrong_no.BEFORE_SHIP'), strftime(first_event_at, '%m-%d %H:%M'),
                             strftime(paid_at_seen, '%m-%d %H:%M')) end,
            case when is_dest_mismatch
                 then format(label('wrong_no.DEST_MISMATCH'), array_to_string(wrong_provinces, '/'),
                             province_norm) end
        ) as detail
    from typed
    -- labels are looked up for the flagged numbers only: looked up for every parcel (the
    -- lookups are subqueries) they cost seconds at a million orders
    where subtype is not null
),

final as (
    select
        'WRONG_TRACKING_NO' as anomaly_type,
        subtype,
        order_id,
        tracking_no,
        cast(null as varchar) as sku,
        cast(null as timestamp) as ref_time,
        cast(null as double) as elapsed_hours,
        cast(null as double) as threshold_hours,
        detail
    from described
    union all
    select
        'WRONG_TRACKING_NO',
        'MISSING',
        order_id,
        null,
        null,
        null,
        null,
        null,
        label('wrong_no.MISSING')
    from missing
)

select * from final
