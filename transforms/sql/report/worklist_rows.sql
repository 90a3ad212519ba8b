-- Worklist rows: one per order, its anomalies merged. The lead anomaly is the root cause (a
-- rule whose metadata `explains` another anomaly of the order outranks it: a wrong number
-- before the pickup or stall it causes, a stock-out before the late shipment), then the
-- highest tier and score. The row takes the order's best tier and score, and the lead's
-- action, script, remark and flag, with what the run knows filled in.
-- Only the orders a workbook shows: every assigned one, and the unassigned ones up to
-- $unassigned_max_rows in the worklists' order (reports.worklist.write_worklists); the rest
-- are in anomalies.csv (a night of 40,000 anomalies builds some 1,100 rows, not 40,000).
-- grain: order_id
-- params: $as_of, $recontact_after (hours), $unassigned_max_rows
with

all_anomalies as (
    select * from anomalies
),

orders as (
    select * from stg_orders
),

order_keys as (
    -- an order's row takes its best tier, score and overdue hours; they sort the worklists
    -- and choose the rows shown (an order's anomalies share its agent)
    select order_id, any_value(agent_id) as agent_id, min(priority) as priority,
           max(score) as score, max(overdue_hours) as overdue_hours
    from all_anomalies
    group by order_id
),

shown as (
    select k.order_id
    from order_keys k
    join orders o using (order_id)
    qualify k.agent_id is not null
         or row_number() over (
                partition by k.agent_id is null
                order by k.priority, k.score desc, k.overdue_hours desc nulls last,
                         o.amount desc nulls last, k.order_id
            ) <= $unassigned_max_rows
),

anomalies as (
    select * from all_anomalies where order_id in (select order_id from shown)
),

lines as (
    -- only the orders on a worklist: aggregating every order's lines cost seconds
    select * from order_lines where order_id in (select order_id from anomalies)
),

stock as (
    select * from inventory
),

parcels as (
    select * from stg_parcels where order_id in (select order_id from anomalies)
),

status as (
    select * from stg_parcel_status
),

causes as (
    select * from rule_explains
),

overrides as (
    -- numbers agents corrected (已改单号): tracked instead of the export's
    select * from tracking_overrides
),

symptoms as (
    -- anomalies of an order that another anomaly of the same order explains
    select distinct a.order_id, x.symptom as anomaly_type
    from anomalies a
    join causes x on x.cause = a.anomaly_type
),

ranked as (
    select
        a.*,
        s.order_id is not null as is_symptom,
        row_number() over (
            partition by a.order_id
            order by s.order_id is not null, a.priority, a.score desc, a.overdue_hours desc,
                     a.anomaly_type, a.tracking_no
        ) as rank
    from anomalies a
    left join symptoms s using (order_id, anomaly_type)
),

lead as (
    select * from ranked where rank = 1
),

merged as (
    select
        order_id,
        arg_max(score_parts, score) as score_parts,
        string_agg(label('type.' || anomaly_type) || '/' || label('subtype.' || subtype)
                   || '：' || plain_reason, chr(10) order by rank)
            filter (where rank > 1) as other_anomalies,
        string_agg(label('type_en.' || anomaly_type) || '/' || label('subtype_en.' || subtype)
                   || ': ' || plain_reason_en, chr(10) order by rank)
            filter (where rank > 1) as other_anomalies_en,
        string_agg(distinct tracking_no, ',' order by tracking_no) as tracking_nos
    from ranked
    group by order_id
),

products as (
    select
        l.order_id,
        string_agg(coalesce(l.sku_name, l.sku) || '×' || cast(l.qty as bigint) || '（' || l.sku || '）',
                   chr(10) order by l._row) as products,
        -- the latest expected arrival of the order's SKUs: when it can ship
        max(st.incoming_eta) as restock_eta
    from lines l
    left join stock st on st.warehouse = l.warehouse and st.sku = l.sku
    group by l.order_id
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

templates as (
    select
        l.*,
        coalesce(label('script.' || l.anomaly_type || '.' || l.subtype),
                 label('script.' || l.anomaly_type)) as script_template,
        coalesce(label('remark.' || l.anomaly_type || '.' || l.subtype),
                 label('remark.' || l.anomaly_type)) as remark_template,
        coalesce(label('flag.' || l.anomaly_type || '.' || l.subtype),
                 label('flag.' || l.anomaly_type)) as suggested_flag,
        e.latest_event,
        e.latest_event_at,
        -- the pickup point the courier's text names (丰巢快递柜, 菜鸟驿站, 门卫 …)
        nullif(trim(regexp_extract(e.latest_event,
            '(?:放入|放在|存放于|已由|由|已在|在|到达|已到|送至|至)'
            || '([\p{Han}A-Za-z0-9【】\-·]{0,14}?'
            || '(?:驿站|快递柜|智能柜|自提柜|代收点|快递超市|门卫|收发室|物业|丰巢柜|丰巢))', 1),
            '【】'), '') as pickup_point
    from lead l
    left join latest_event e using (order_id)
),

final as (
    select
        t.agent_id,
        k.priority,
        k.score,
        t.order_id,
        label('type.' || t.anomaly_type) || '·' || label('subtype.' || t.subtype) as problem,
        t.action,
        replace(replace(replace(replace(t.script_template,
            '【到货日期】', coalesce(strftime(p.restock_eta, '%m月%d日'), '【到货日期】')),
            '【驿站/快递柜】', coalesce(t.pickup_point, '【驿站/快递柜】')),
            '【代收点】', coalesce(t.pickup_point, '【代收点】')),
            '【原因】', label('subtype.' || t.subtype)) as script,
        '未处理' as result,
        '' as note,
        '' as new_tracking_no,
        '' as handled_at,
        $as_of + to_hours(cast($recontact_after as bigint)) as next_follow_up,
        t.plain_reason as reason,
        t.plain_reason_en as reason_en,
        t.action_en,
        m.other_anomalies,
        m.other_anomalies_en,
        replace(replace(t.remark_template,
                        '{agent}', coalesce(t.agent_id, '【客服ID】')),
                '{date}', strftime($as_of, '%Y-%m-%d')) as remark,
        t.suggested_flag as flag,
        o.seller_remark,
        o.flag as erp_flag,
        concat_ws(chr(10),
            strftime(t.last_action_at, '%m-%d') || ' ' || t.last_result,
            strftime(x.dated_at, '%m-%d') || ' 已改单号 → ' || x.new_tracking_no) as last_action,
        t.days_open,
        duration_text(nullif(k.overdue_hours, 0)) as overdue,
        o.platform_order_id,
        o.shop,
        p.products,
        o.warehouse,
        o.carrier,
        coalesce(m.tracking_nos, o.tracking_no_raw) as tracking_no,
        t.tracking_no as lookup,
        case when t.tracking_no is not null
             then 'https://www.kuaidi100.com/chaxun?com=' || coalesce(o.carrier_code, '')
                  || '&nu=' || t.tracking_no end as lookup_url,
        mask_name(o.receiver_name) as receiver,
        mask_phone(o.receiver_phone) as phone,
        o.province,
        o.amount,
        o.buyer_message,
        o.paid_at_seen as paid_at,
        o.shipped_at_seen as shipped_at,
        t.latest_event,
        t.latest_event_at,
        t.elapsed_hours,
        t.threshold_hours,
        m.score_parts,
        k.overdue_hours,
        t.anomaly_key,
        t.anomaly_type,
        t.subtype
    from templates t
    join merged m using (order_id)
    join order_keys k using (order_id)
    join orders o using (order_id)
    left join products p using (order_id)
    left join overrides x using (order_id)
)

select * from final
order by priority, score desc, overdue_hours desc nulls last, amount desc nulls last, order_id
