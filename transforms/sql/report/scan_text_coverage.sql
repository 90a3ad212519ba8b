-- How many tracking events came without a known status code, and how many of those no scan-text
-- cue could read (they count as in transit; a run lists them in warnings.csv).
-- grain: one row
-- params: none
with

events as (
    select * from tracking_csv
),

codes as (
    select code from status_codes
),

without_codes as (
    -- the scan text is read once per distinct (状态, text), as a run reads it
    select e.status_text, e.context, count(*) as n_events
    from events e
    where not exists (select 1 from codes c where c.code = e.status_code or c.code = e.state)
    group by e.status_text, e.context
),

final as (
    select
        coalesce(sum(n_events), 0) as events_without_codes,
        coalesce(sum(n_events) filter (where status_from_text(status_text, context) is null), 0)
            as unclassified
    from without_codes
)

select * from final
