-- Per rule and subtype over the last $window_days days: how often agents called it a false
-- positive, how often it got resolved, and how long that took: the figures that say which
-- threshold to change.
-- grain: (anomaly_type, subtype)
-- params: $as_of, $window_days
with

history as (
    select as_of, anomaly_key, anomaly_type, subtype from state.anomaly_history
    union all
    select as_of, anomaly_key, anomaly_type, subtype from anomalies_found
),

actions as (
    select * from actions_seen
),

result_kinds as (
    -- contact, resolved or false_positive (core.labels.RESULT_KINDS)
    select * from result_kinds
),

in_window as (
    select
        anomaly_key,
        arg_max(anomaly_type, as_of) as anomaly_type,
        arg_max(subtype, as_of) as subtype,
        min(as_of) as first_seen
    from history
    where as_of > $as_of - to_days(cast($window_days as integer)) and as_of <= $as_of
    group by anomaly_key
),

latest as (
    select anomaly_key, arg_max(result, dated_at) as result, max(dated_at) as dated_at
    from actions
    where dated_at > $as_of - to_days(cast($window_days as integer))
    group by anomaly_key
),

outcomes as (
    select
        w.anomaly_type,
        w.subtype,
        w.anomaly_key,
        l.result,
        rk.kind,
        case when rk.kind = 'resolved'
             then date_diff('minute', w.first_seen, l.dated_at) / 60.0 end as hours_to_resolve
    from in_window w
    left join latest l using (anomaly_key)
    left join result_kinds rk using (result)
),

final as (
    select
        anomaly_type,
        subtype,
        count(*) as found,
        count(result) as worked,
        count(*) filter (where kind = 'false_positive') as false_positives,
        count(*) filter (where kind = 'false_positive') / nullif(count(result), 0)
            as false_positive_rate,
        count(hours_to_resolve) as resolved,
        count(hours_to_resolve) / count(*) as resolution_rate,
        round(median(case when hours_to_resolve is not null
                          then greatest(hours_to_resolve, 0) end), 1) as median_hours_to_resolve,
        $window_days as window_days
    from outcomes
    group by anomaly_type, subtype
)

select * from final
order by anomaly_type, subtype
