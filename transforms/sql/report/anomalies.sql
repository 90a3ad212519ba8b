-- Every problem the rules found, with its stable key, the facts that raised it, where it is
-- in its lifecycle (what agents handed back), first-seen time, score, tier, reason and team.
-- Lifecycle, from the latest result dated at or before $as_of:
--   contact (已联系客户, 已催件, 等待客户回复): held back until $recontact_after hours have
--     passed, then shown again as a repeat that says what was done and when;
--   resolved (已解决, 已补发, 已退款 …): held back for $reopen_after hours, then reopened as a
--     repeat if the rule still fires;
--   误报: held back while the facts that raised it are unchanged; new facts show it again.
-- grain: (anomaly_type, order_id, tracking_no)
-- params: $as_of, $weight_severity, $weight_overdue, $weight_amount, $weight_days_open,
--         $weight_repeat, $amount_cap, $days_open_cap, $p1_min_score, $p2_min_score,
--         $recontact_after, $reopen_after (hours)
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

actions as (
    -- results agents handed back, dated at or before as_of
    select * from actions_seen
),

history_facts as (
    select * from history_facts
),

parcel_status as (
    select * from stg_parcel_status
),

keyed as (
    select
        d.*,
        left(md5(d.anomaly_type || '|' || d.order_id || '|' || coalesce(d.tracking_no, '')), 16)
            as anomaly_key,
        -- the facts that raised it: a new scan, a new number or a changed order changes them
        md5(concat_ws('|', d.subtype, o.status, o.tracking_no_raw, o.carrier, o.province,
                      o.paid_at_seen, o.shipped_at_seen, s.latest_at, s.n_events))
            as facts_hash
    from detected d
    join orders o using (order_id)
    left join parcel_status s on s.tracking_no = d.tracking_no
),

result_kinds as (
    -- contact, resolved or false_positive (core.labels.RESULT_KINDS)
    select * from result_kinds
),

latest_action as (
    select l.*, rk.kind
    from (
        select
            anomaly_key,
            arg_max(result, dated_at) as result,
            max(dated_at) as dated_at,
            arg_max(agent_id, dated_at) as agent_id
        from actions
        group by anomaly_key
    ) l
    left join result_kinds rk using (result)
),

false_positive_facts as (
    -- the facts of the list the agent marked 误报: the latest run at or before the mark
    select a.anomaly_key, arg_max(h.facts_hash, h.as_of) as facts_then
    from latest_action a
    join history_facts h on h.anomaly_key = a.anomaly_key and h.as_of <= a.dated_at
    where a.kind = 'false_positive'
    group by a.anomaly_key
),

lifecycle as (
    select
        k.anomaly_key,
        a.result as last_result,
        a.dated_at as last_action_at,
        case
            when a.result is null then 'open'
            when a.kind = 'contact'
                then case when $as_of < a.dated_at + to_minutes(cast($recontact_after * 60 as bigint))
                          then 'in_progress' else 'repeat' end
            when a.kind = 'false_positive'
                then case when coalesce(fp.facts_then, k.facts_hash) = k.facts_hash
                          then 'false_positive' else 'new_facts' end
            -- resolved
            when $as_of < a.dated_at + to_minutes(cast($reopen_after * 60 as bigint))
                then 'resolved'
            else 'reopened'
        end as lifecycle
    from keyed k
    left join latest_action a using (anomaly_key)
    left join false_positive_facts fp using (anomaly_key)
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
        l.lifecycle,
        l.last_result,
        l.last_action_at,
        -- a repeat: a contact that did not solve it, or a resolution that did not hold
        case when l.lifecycle in ('repeat', 'reopened') then l.last_result end as contact_result,
        l.last_action_at as contacted_on
    from keyed k
    join orders o using (order_id)
    left join history h using (anomaly_key)
    left join severity s using (anomaly_type)
    left join routing r using (anomaly_type)
    join lifecycle l using (anomaly_key)
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
        coalesce(format(label('lifecycle_note.' || lifecycle), last_result,
                        strftime(last_action_at, '%m-%d')), '') as repeat_note,
        format(
            coalesce(label('reason_en.' || anomaly_type || '.' || subtype),
                     label('reason_en.' || anomaly_type)),
            coalesce(duration_text_en(elapsed_hours), ''),
            coalesce(duration_text_en(threshold_hours), ''), coalesce(detail, '')
        ) || coalesce(format(label('lifecycle_note_en.' || lifecycle),
                             label('result_en.' || last_result),
                             strftime(last_action_at, '%m-%d')), '') as plain_reason_en,
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
        contacted_on,
        facts_hash,
        lifecycle,
        last_result,
        last_action_at,
        -- held back from today's lists (and from anomalies.csv) by what an agent recorded
        lifecycle in ('in_progress', 'resolved', 'false_positive') as held_back
    from explained
)

select * from final
