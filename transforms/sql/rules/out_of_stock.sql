-- OUT_OF_STOCK 缺货: a paid, unshipped order whose lines the stock cannot cover when on_hand
-- per (warehouse, sku) goes to such lines first-paid-first-served (paid_at, order_id, line);
-- or an order the ERP marked 缺货.
-- grain: order_id (one row even when both subtypes apply; ALLOCATION comes first)
-- params: $as_of
with

orders as (
    select * from stg_orders
),

lines as (
    select * from order_lines
),

stock as (
    select
        warehouse,
        sku,
        sum(on_hand) as on_hand,
        min(incoming_eta) as incoming_eta
    from inventory
    group by warehouse, sku
),

waiting_lines as (
    select
        l.order_id,
        l.sku,
        l.qty,
        l.warehouse,
        o.paid_at_seen,
        l._file,
        l._row
    from lines l
    join orders o using (order_id)
    where o.is_awaiting_shipment
),

allocated as (
    select
        w.*,
        s.on_hand,
        s.incoming_eta,
        sum(w.qty) over (
            partition by w.warehouse, w.sku
            order by w.paid_at_seen, w.order_id, w._file, w._row
            rows between unbounded preceding and current row
        ) as cumulative_qty
    from waiting_lines w
    -- a SKU missing from the stock export is a data-quality warning, not a stock-out
    join stock s on s.warehouse = w.warehouse and s.sku = w.sku
),

short_lines as (
    select
        *,
        least(qty, cumulative_qty - greatest(on_hand, 0)) as short_qty
    from allocated
    where cumulative_qty > greatest(on_hand, 0)
),

by_allocation as (
    select
        order_id,
        string_agg(
            sku || ' 缺 ' || cast(short_qty as bigint) || ' 件'
                || coalesce('（预计 ' || strftime(incoming_eta, '%m-%d') || ' 到货）', ''),
            '；' order by sku
        ) as detail,
        string_agg(distinct sku, ',' order by sku) as skus
    from short_lines
    group by order_id
),

by_erp_mark as (
    select order_id, question_type
    from orders
    where is_awaiting_shipment and question_type like '%缺货%'
),

combined as (
    select
        coalesce(a.order_id, e.order_id) as order_id,
        case when a.order_id is not null then 'ALLOCATION' else 'ERP_MARKED' end as subtype,
        concat_ws('；', a.detail, case when e.order_id is not null and a.order_id is not null
                                      then 'ERP 标记：' || e.question_type end) as alloc_detail,
        e.question_type,
        a.skus
    from by_allocation a
    full join by_erp_mark e using (order_id)
),

final as (
    select
        'OUT_OF_STOCK' as anomaly_type,
        c.subtype,
        c.order_id,
        cast(null as varchar) as tracking_no,
        c.skus as sku,
        o.paid_at_seen as ref_time,
        date_diff('second', o.paid_at_seen, $as_of) / 3600.0 as elapsed_hours,
        cast(null as double) as threshold_hours,
        case when c.subtype = 'ALLOCATION' then c.alloc_detail else c.question_type end
            as detail
    from combined c
    join orders o using (order_id)
)

select * from final
