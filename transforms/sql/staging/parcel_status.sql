-- What the visible tracking says about each number: pickup, terminal state, latest event.
-- grain: tracking_no
-- params: none; reads stg_events (already cut at $as_of)
with

events as (
    select * from stg_events
),

ranked as (
    select
        *,
        -- latest event; ties on time go to the later file line (the newer push)
        row_number() over (
            partition by tracking_no
            order by event_time desc, _file desc, _row desc, context desc
        ) as recency
    from events
),

summary as (
    select
        tracking_no,
        count(*) as n_events,
        count(*) filter (where status <> 'ORDERED') as n_after_order,
        min(event_time) as first_event_at,
        -- terminal whatever the order of the events: carriers' clocks disagree
        bool_or(status in ('SIGNED', 'SIGNED_PROXY', 'SIGNED_LOCKER', 'RETURN_SIGNED',
                           'CANCELLED')) as is_terminal,
        bool_or(status = 'FORWARDED') as has_forwarded_event,
        list(distinct province order by province) filter (
            where status in ('OUT_FOR_DELIVERY', 'SIGNED', 'SIGNED_PROXY', 'SIGNED_LOCKER')
              and province is not null
        ) as delivery_provinces
    from events
    group by tracking_no
),

latest as (
    select
        tracking_no,
        event_time as latest_at,
        status as latest_status,
        code as latest_code,
        code_subtype as latest_code_subtype,
        context as latest_context
    from ranked
    where recency = 1
),

final as (
    select * from summary join latest using (tracking_no)
)

select * from final
