-- Data-quality warnings: repaired Excel damage, numbers agents corrected, SKUs absent from
-- the stock export, carrier names no alias knows, scan texts with no status cue. Not
-- rejects: the rows were used.
-- grain: one row per warning
-- params: none
with

parcels as (
    select * from stg_parcels
),

orders as (
    select * from stg_orders
),

lines as (
    select * from order_lines
),

stock as (
    select distinct warehouse, sku from inventory
),

repaired_numbers as (
    select
        'repaired_tracking_no' as kind,
        o._file as file,
        o._row as "row",
        '快递单号' as "column",
        p.tracking_raw as value,
        'Excel damage repaired (' || p.damage || ') → ' || p.tracking_no as message
    from parcels p
    join orders o using (order_id)
    where p.damage is not null and not p.is_mangled
),

unknown_skus as (
    select
        'sku_not_in_inventory',
        min(l._file),
        min(l._row),
        '商品编码',
        l.warehouse || ' / ' || l.sku,
        'SKU not in the inventory export for this warehouse; stock not checked ('
            || count(*) || ' waiting lines)'
    from lines l
    join orders o using (order_id)
    where o.is_awaiting_shipment
      and (select count(*) from stock) > 0
      and not exists (select 1 from stock s where s.warehouse = l.warehouse and s.sku = l.sku)
    group by l.warehouse, l.sku
),

unknown_carriers as (
    select
        'unknown_carrier',
        min(_file),
        min(_row),
        '快递公司',
        carrier,
        'carrier name matches no known alias (' || count(*) || ' orders); add it under '
            || '[carriers.<code>] aliases'
    from orders
    where carrier is not null and carrier_code is null
    group by carrier
),

overrides as (
    select * from tracking_overrides
),

corrected_numbers as (
    select
        'tracking_no_corrected',
        o._file,
        o._row,
        '快递单号',
        x.old_tracking_no,
        '客服 ' || coalesce(x.agent_id, '?') || ' 于 ' || strftime(x.dated_at, '%Y-%m-%d')
            || ' 改单号：之后按 ' || x.new_tracking_no || ' 跟踪（请在 ERP 里也改正）'
    from overrides x
    join orders o using (order_id)
),

unclassified as (
    -- events of every parcel that no code or scan-text cue could read
    select unnest(unclassified_events, recursive := true) from stg_parcel_status
),

unclassified_texts as (
    -- a carrier wording the text rules do not know (no code came with it): read as in
    -- transit, one warning per distinct text, so a shop sees when its carrier says
    -- something new
    select
        'unclassified_scan_text',
        min(_file),
        min(_row),
        '轨迹',
        context,
        'no status cue in this scan text and no status code (' || count(*)
            || ' events); read as 在途 (in transit)'
    from unclassified
    group by context
),

cleaned_cells as (
    select 'control_characters_removed', file, "row", "column", value, message
    from sanitized_cells
),

final as (
    select * from repaired_numbers
    union all select * from cleaned_cells
    union all select * from corrected_numbers
    union all select * from unknown_skus
    union all select * from unknown_carriers
    union all select * from unclassified_texts
)

select * from final
