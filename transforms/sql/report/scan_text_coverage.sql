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
    select e.status_text, e.context
    from events e
    where not exists (select 1 from codes c where c.code = e.status_code or c.code = e.state)
),

final as (
    select
        count(*) as events_without_codes,
        count(*) filter (where status_from_text(status_text, context) is null) as unclassified
    from without_codes
)

select * from final
