-- Worklist rows: one per order, its anomalies merged (primary = highest score), with the
-- facts an agent needs, masked personal data, and the remark template filled in.
-- grain: order_id
-- params: $as_of
with

anomalies as (
    select * from anomalies
),

orders as (
    select * from stg_orders
),

parcels as (
    select * from stg_parcels
),

status as (
    select * from stg_parcel_status
),

ranked as (
    select
        *,
        row_number() over (partition by order_id
                           order by priority, score desc, anomaly_type, tracking_no) as rank
    from anomalies
),

primary_anomaly as (
    select * from ranked where rank = 1
),

merged as (
    select
        order_id,
        string_agg(label('type.' || anomaly_type) || '/' || label('subtype.' || subtype), '；'
                   order by rank) filter (where rank > 1) as other_anomalies,
        string_agg(reason, '\n' order by rank) as reasons,
        string_agg(distinct tracking_no, ',' order by tracking_no) as tracking_nos
    from ranked
    group by order_id
),

latest_event as (
    select
        p.order_id,
        arg_max(s.latest_context, s.latest_at) as latest_event,
        max(s.latest_at) as latest_event_at
    from parcels p
    join status s using (tracking_no)
    group by p.order_id
),

final as (
    select
        a.agent_id,
        a.priority,
        a.score,
        label('type.' || a.anomaly_type) as anomaly_label,
        label('subtype.' || a.subtype) as subtype_label,
        m.other_anomalies,
        a.order_id,
        o.platform_order_id,
        o.shop,
        o.warehouse,
        o.carrier,
        coalesce(m.tracking_nos, o.tracking_no_raw) as tracking_no,
        mask_name(o.receiver_name) as receiver,
        mask_phone(o.receiver_phone) as phone,
        o.province,
        o.amount,
        o.buyer_message,
        o.paid_at_seen as paid_at,
        o.shipped_at_seen as shipped_at,
        e.latest_event,
        e.latest_event_at,
        a.elapsed_hours,
        a.threshold_hours,
        a.days_open,
        m.reasons as reason,
        a.action,
        coalesce(label('script.' || a.anomaly_type || '.' || a.subtype),
                 label('script.' || a.anomaly_type)) as script,
        replace(replace(coalesce(label('remark.' || a.anomaly_type || '.' || a.subtype),
                                 label('remark.' || a.anomaly_type)),
                        '{agent}', coalesce(a.agent_id, '客服ID')),
                '{date}', strftime($as_of, '%Y-%m-%d')) as remark,
        coalesce(label('flag.' || a.anomaly_type || '.' || a.subtype),
                 label('flag.' || a.anomaly_type)) as flag,
        '未处理' as result,
        '' as note,
        a.anomaly_key,
        a.anomaly_type,
        a.subtype
    from primary_anomaly a
    join merged m using (order_id)
    join orders o using (order_id)
    left join latest_event e using (order_id)
)

select * from final
order by priority, score desc, order_id
