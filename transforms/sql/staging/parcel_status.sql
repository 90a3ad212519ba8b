-- What the visible tracking says about each number: pickup, terminal state, latest event.
-- grain: tracking_no
-- params: none; reads stg_events (already cut at $as_of)
with

events as (
    select * from stg_events
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
        ) as delivery_provinces,
        -- the latest event; ties on time go to the later file line (the newer push), then
        -- to the larger text. One aggregate in the same pass, not a window sorting every event
        arg_max({'latest_at': event_time, 'latest_status': status, 'latest_code': code,
                 'latest_code_subtype': code_subtype, 'latest_context': context},
                (event_time, _file, _row, coalesce(context, ''))) as latest
    from events
    group by tracking_no
),

final as (
    select * exclude (latest), unnest(latest) from summary
)

select * from final
