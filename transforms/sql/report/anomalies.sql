-- Anomalies with their stable key, first-seen time, priority score, tier, reason and team.
-- grain: (anomaly_type, order_id, tracking_no)
-- params: $as_of, $weight_severity, $weight_overdue, $weight_amount, $weight_days_open,
--         $weight_repeat, $amount_cap, $days_open_cap, $p1_min_score, $p2_min_score
with

detected as (
    select * from detected
),

orders as (
    select * from stg_orders
),

history as (
    select * from history_first_seen
),

severity as (
    select * from severity
),

routing as (
    select * from routing
),

contacted as (
    -- worklists handed back: the customer or courier was contacted, and it is still open
    select * from contacted
),

keyed as (
    select
        d.*,
        left(md5(d.anomaly_type || '|' || d.order_id || '|' || coalesce(d.tracking_no, '')), 16)
            as anomaly_key
    from detected d
),

components as (
    select
        k.*,
        o.platform_order_id,
        o.shop,
        o.warehouse,
        o.carrier,
        o.amount,
        least(coalesce(h.first_seen, $as_of), $as_of) as first_seen,
        coalesce(s.severity, 0.5) as severity,
        -- how far past the threshold, as a share of it (no threshold: a neutral half)
        case
            when k.threshold_hours > 0 and k.elapsed_hours is not null
                then least(1.0, greatest(0.0, (k.elapsed_hours - k.threshold_hours)
                                              / k.threshold_hours))
            else 0.5
        end as overdue_share,
        least(1.0, coalesce(o.amount, 0) / nullif($amount_cap, 0)) as amount_share,
        coalesce(r.team, '未分组') as team,
        c.result as contact_result
    from keyed k
    join orders o using (order_id)
    left join history h using (anomaly_key)
    left join severity s using (anomaly_type)
    left join routing r using (anomaly_type)
    left join contacted c using (anomaly_key)
),

scored as (
    select
        *,
        date_diff('day', first_seen, $as_of) as days_open,
        round(least(100.0,
            $weight_severity * severity
            + $weight_overdue * overdue_share
            + $weight_amount * coalesce(amount_share, 0)
            + $weight_days_open * least(1.0, date_diff('day', first_seen, $as_of)
                                             / nullif($days_open_cap, 0))
            + $weight_repeat * (contact_result is not null)::integer
        ), 1) as score
    from components
),

tiered as (
    select
        *,
        case when score >= $p1_min_score then 'P1'
             when score >= $p2_min_score then 'P2'
             else 'P3' end as priority
    from scored
),

final as (
    select
        $as_of as as_of,
        anomaly_type,
        subtype,
        order_id,
        platform_order_id,
        shop,
        warehouse,
        carrier,
        tracking_no,
        sku,
        round(elapsed_hours, 1) as elapsed_hours,
        threshold_hours,
        priority,
        score,
        format(
            coalesce(label('reason.' || anomaly_type || '.' || subtype),
                     label('reason.' || anomaly_type)),
            coalesce(elapsed_hours, 0), coalesce(threshold_hours, 0), coalesce(detail, '')
        ) || format(label('priority_reason'), priority, score, severity,
                    overdue_share * 100, coalesce(amount, 0), days_open)
          || coalesce(format(label('repeat_note'), contact_result), '') as reason,
        coalesce(label('action.' || anomaly_type || '.' || subtype),
                 label('action.' || anomaly_type)) as action,
        team,
        first_seen,
        anomaly_key,
        days_open,
        ref_time
    from tiered
)

select * from final
