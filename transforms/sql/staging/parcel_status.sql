-- What the visible tracking says about each number: pickup, terminal state, latest event,
-- and the events no code or scan-text cue could read (for warnings.csv).
-- grain: tracking_no
-- params: none; reads stg_events (already cut at $as_of; computed within this statement,
-- transforms.detect.EPHEMERAL) and status_refinements
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
        -- read as in transit and warned about; kept here, in the one pass over the events
        list({'context': context, '_file': _file, '_row': _row}) filter (where unclassified)
            as unclassified_events,
        -- distinct through list functions: a list(distinct …) is a second aggregate pass
        list_sort(list_distinct(list(province) filter (
            where status in ('OUT_FOR_DELIVERY', 'SIGNED', 'SIGNED_PROXY', 'SIGNED_LOCKER')
              and province is not null
        ))) as delivery_provinces,
        -- the latest event; ties on time go to the later file line (the newer push), then
        -- to the larger text. One aggregate in the same pass, not a window sorting every event;
        -- the order as one sort key (a blob), which compares faster than a struct
        arg_max({'latest_at': event_time, 'latest_status': status, 'latest_code': code,
                 'latest_code_subtype': code_subtype, 'latest_context': context},
                create_sort_key(event_time, 'asc nulls last', _file, 'asc nulls last',
                                _row, 'asc nulls last', coalesce(context, ''),
                                'asc nulls last')) as latest
    from events
    group by tracking_no
),

latest as (
    select * exclude (latest), unnest(latest) from summary
),

refinements as (
    select * from status_refinements
),

texts as (
    -- the text of a latest event whose code is coarse, read once per distinct text
    select context, status_from_text(null, context) as text_status
    from (select distinct latest_context as context from latest
          where latest_code in (select code from refinements))
),

final as (
    -- a coarse code (在途 0, 派件 5, 签收 3) takes the finer state its text names (a locker
    -- drop, a station or proxy signature): the status a flat export's text alone gives, so
    -- the same history raises the same anomalies with codes and without
    select l.* replace (coalesce(r.status, l.latest_status) as latest_status)
    from latest l
    left join texts t on t.context = l.latest_context
    left join refinements r on r.code = l.latest_code and r.status = t.text_status
)

select * from final
