-- Who works which order: the order's primary anomaly (highest score) decides its team; an
-- order stays with the agent who had it last run while that agent is active in the team and
-- has room; the rest fill free capacity round-robin in priority order; the overflow stays
-- unassigned.
-- grain: order_id (assigned or not)
-- params: none; reads anomalies, agents, previous_assignment
with

anomalies as (
    select * from anomalies
),

roster as (
    select
        agent_id,
        coalesce(team, '') as team,
        cast(coalesce(capacity, 50) as integer) as capacity
    from agents
    where coalesce(lower(trim(active)), 'y') not in ('0', 'n', 'no', 'false', '否', '停用')
),

previous as (
    select * from previous_assignment
),

orders as (
    -- one worklist row per order: its highest-scoring anomaly is the primary one
    select
        order_id,
        arg_max(team, (score, anomaly_type)) as team,
        max(score) as score,
        min(priority) as priority
    from anomalies
    group by order_id
),

kept as (
    select
        o.order_id,
        p.agent_id,
        r.capacity,
        row_number() over (partition by p.agent_id order by o.priority, o.score desc, o.order_id)
            as n
    from orders o
    join previous p using (order_id)
    join roster r on r.agent_id = p.agent_id and r.team = o.team
),

sticky as (
    select order_id, agent_id from kept where n <= capacity
),

room as (
    select
        r.agent_id,
        r.team,
        r.capacity - count(s.order_id) as free
    from roster r
    left join sticky s using (agent_id)
    group by r.agent_id, r.team, r.capacity
),

slots as (
    -- slot k of every agent before slot k+1 of any: work spreads evenly until capacity ends
    select
        agent_id,
        team,
        row_number() over (partition by team order by slot, agent_id) as slot_rank
    from (select agent_id, team, unnest(range(free)) as slot from room where free > 0)
),

queue as (
    select
        o.*,
        row_number() over (partition by o.team order by o.priority, o.score desc, o.order_id)
            as queue_rank
    from orders o
    where o.order_id not in (select order_id from sticky)
),

final as (
    select order_id, agent_id from sticky
    union all
    select q.order_id, s.agent_id
    from queue q
    left join slots s on s.team = q.team and s.slot_rank = q.queue_rank
)

select * from final
