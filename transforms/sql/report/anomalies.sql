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
        c.result as contact_result,
        c.contacted_on
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
        $weight_days_open * least(1.0, date_diff('day', first_seen, $as_of)
                                       / nullif($days_open_cap, 0)) as score_days_open,
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
             else 'P3' end as priority,
        -- how far past its threshold (the rule's own elapsed time when it has none): ties
        greatest(0, coalesce(elapsed_hours - threshold_hours, elapsed_hours, 0)) as overdue_hours
    from scored
),

explained as (
    select
        *,
        format(
            coalesce(label('reason.' || anomaly_type || '.' || subtype),
                     label('reason.' || anomaly_type)),
            coalesce(duration_text(elapsed_hours), ''), coalesce(duration_text(threshold_hours), ''),
            coalesce(detail, '')
        ) as fired_because,
        coalesce(format(label('repeat_note'), contact_result, strftime(contacted_on, '%m-%d')), '')
            as repeat_note,
        format(
            coalesce(label('reason_en.' || anomaly_type || '.' || subtype),
                     label('reason_en.' || anomaly_type)),
            coalesce(duration_text_en(elapsed_hours), ''),
            coalesce(duration_text_en(threshold_hours), ''), coalesce(detail, '')
        ) || coalesce(format(label('repeat_note_en'), label('result_en.' || contact_result),
                             strftime(contacted_on, '%m-%d')), '') as plain_reason_en,
        coalesce(label('action_en.' || anomaly_type || '.' || subtype),
                 label('action_en.' || anomaly_type)) as action_en,
        -- why this priority, in words an agent can repeat
        format(label('priority_reason'), priority, concat_ws('，',
            case when threshold_hours > 0 and elapsed_hours > threshold_hours
                 then format(label('priority_overdue'),
                             duration_text(elapsed_hours - threshold_hours)) end,
            case when amount > 0 then format(label('priority_amount'), amount) end,
            case when days_open > 0 then format(label('priority_days_open'), days_open) end,
            label('severity.' || case when severity >= 0.8 then 'high'
                                      when severity >= 0.5 then 'medium' else 'low' end)
        )) as why_priority,
        format(label('score_parts'), score,
               round($weight_severity * severity, 1), round($weight_overdue * overdue_share, 1),
               round($weight_amount * coalesce(amount_share, 0), 1),
               round(score_days_open, 1),
               round($weight_repeat * (contact_result is not null)::integer, 1)) as score_parts
    from tiered
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
        fired_because || why_priority || repeat_note as reason,
        coalesce(label('action.' || anomaly_type || '.' || subtype),
                 label('action.' || anomaly_type)) as action,
        team,
        first_seen,
        anomaly_key,
        days_open,
        ref_time,
        fired_because || repeat_note as plain_reason,
        plain_reason_en,
        action_en,
        score_parts,
        overdue_hours,
        amount,
        contact_result,
        contacted_on
    from explained
)

select * from final
