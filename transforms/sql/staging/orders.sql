-- Orders as a run at $as_of sees them: one row per order, times after $as_of invisible.
-- grain: order_id
-- params: $as_of
with

lines as not materialized (
    select * from order_lines
),

aliases as (
    select * from carrier_aliases
),

zones as (
    select * from zone_provinces
),

line_counts as (
    select order_id, count(*) as n_lines from lines group by order_id
),

single_line as (
    -- most orders have one line: their fields are taken as they are, not aggregated
    select
        order_id, platform_order_id, shop, status,
        nullif(question_type, '') as question_type,
        created_at, paid_at, shipped_at, promised_ship_by, carrier,
        tracking_no as tracking_no_raw, receiver_name, receiver_phone, province, city, region,
        amount, buyer_message, seller_remark, flag, warehouse, order_type, _file, _row
    from lines
    semi join (select order_id from line_counts where n_lines = 1) using (order_id)
),

multi_line as (
    -- order-level fields agree on every line (validated); min() is exact there and
    -- deterministic for free-text fields that may differ between lines
    select
        order_id,
        min(platform_order_id) as platform_order_id,
        min(shop) as shop,
        min(status) as status,
        -- distinct values through a list: a string_agg(distinct …) is a second aggregate pass
        nullif(array_to_string(list_sort(list_distinct(list(question_type))), ' '), '')
            as question_type,
        min(created_at) as created_at,
        min(paid_at) as paid_at,
        min(shipped_at) as shipped_at,
        min(promised_ship_by) as promised_ship_by,
        min(carrier) as carrier,
        min(tracking_no) as tracking_no_raw,
        min(receiver_name) as receiver_name,
        min(receiver_phone) as receiver_phone,
        min(province) as province,
        min(city) as city,
        min(region) as region,
        min(amount) as amount,
        min(buyer_message) as buyer_message,
        min(seller_remark) as seller_remark,
        min(flag) as flag,
        min(warehouse) as warehouse,
        min(order_type) as order_type,
        min(_file) as _file,
        min(_row) as _row
    from lines
    semi join (select order_id from line_counts where n_lines > 1) using (order_id)
    group by order_id
),

order_level as (
    -- 旺店通 writes 省市县 in one cell: "浙江省 杭州市 西湖区"
    select
        * exclude (region) replace (
            coalesce(province, regexp_split_to_array(trim(region), '\s+')[1]) as province,
            coalesce(city, regexp_split_to_array(trim(region), '\s+')[2]) as city
        )
    from (
        select * from single_line
        union all
        select * from multi_line
    )
),

visible as (
    select
        *,
        case when paid_at <= $as_of then paid_at end as paid_at_seen,
        case when shipped_at <= $as_of then shipped_at end as shipped_at_seen,
        -- once per order: the zone join and the rules read it
        norm_province(province) as province_norm
    from order_level
    where coalesce(created_at, paid_at, shipped_at, $as_of) <= $as_of
),

promotion_list as (
    -- the few promotions as one list, in start order, filtered on each order's shipment:
    -- not a correlated subquery, which DuckDB runs as a join of every distinct shipment time
    -- to the promotions (with the zones' one, 0.5 of this statement's 3.3 CPU-seconds on a
    -- million orders)
    select list({'name': name, 'start_at': start_at, 'end_at': end_at} order by start_at)
        as all_promotions
    from promotions
),

final as (
    select
        v.* exclude (province_norm),
        a.code as carrier_code,
        v.province_norm,
        v.status = 'CANCELLED' as is_cancelled,
        v.shipped_at_seen is not null and v.status <> 'CANCELLED' as is_shipped,
        -- docs/contracts.md, rules: paid, not shipped, not cancelled (the export's status is a snapshot taken
        -- after as_of in a backfill, so only a cancellation counts)
        v.paid_at_seen is not null
            and v.shipped_at_seen is null
            and v.status <> 'CANCELLED' as is_awaiting_shipment,
        -- a warehouse with no zone table of its own takes the default one; a province is
        -- in one zone of a table (core.config), so the join keeps one row per order
        coalesce(z.zone, 2) as zone,
        -- none: NULL; a promotion named '' still counts
        array_to_string(nullif(list_transform(
            list_filter(p.all_promotions,
                        lambda x: v.shipped_at_seen between x.start_at and x.end_at),
            lambda x: x.name), []), '、') as promotion,
        -- a receiver, for telling a merged parcel (same receiver) from a reused number
        coalesce(v.receiver_phone, '') || '|' || coalesce(v.receiver_name, '') as receiver_key
    from visible v
    cross join promotion_list p
    left join aliases a on a.alias = upper(trim(v.carrier))
    left join zones z
        on z.province = v.province_norm
       and z.warehouse = case when v.warehouse in (select warehouse from zones)
                              then v.warehouse else 'default' end
)

select * from final
