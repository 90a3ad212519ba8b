-- Parcels: the tracking numbers of each order, split, cleaned, Excel damage repaired or marked,
-- with the set of carriers each number may belong to.
-- grain: (order_id, tracking_no); orders without any number have no row here
-- params: none; reads stg_orders
with

orders as (
    select order_id, carrier_code, tracking_no_raw from stg_orders
    where tracking_no_raw is not null
),

pieces as (
    -- several numbers in one cell: , ， ; ； / 、 | or line breaks between them
    select
        order_id,
        carrier_code,
        unnest(regexp_split_to_array(tracking_no_raw, '[,，;；/、|\n\r]+')) as piece
    from orders
),

tokens as (
    -- spaces separate numbers only when every part is number-long ("SF 1385 6287" is one)
    select
        order_id,
        carrier_code,
        unnest(case
            when len(parts) > 1 and len(list_filter(parts, lambda p: length(p) < 8)) = 0
                then parts
            else [piece]
        end) as token
    from (select *, regexp_split_to_array(trim(piece), '\s+') as parts from pieces)
),

distinct_tokens as (
    -- cleaning is regex work: do it once per distinct text, not once per order
    select token, clean_tracking_token(token) as cleaned
    from (select distinct token from tokens)
),

repaired as (
    select
        t.order_id,
        t.carrier_code,
        t.token as tracking_raw,
        d.cleaned,
        case
            -- SF's 12-digit numbers may start with 0, which a numeric cell drops
            when t.carrier_code = 'shunfeng' and regexp_full_match(d.cleaned, '\d{11}')
                then 'leading_zero_lost'
            else excel_damage(d.cleaned)
        end as damage
    from tokens t
    join distinct_tokens d using (token)
    where d.cleaned <> ''
),

numbered as (
    select
        *,
        case
            when damage = 'leading_zero_lost' then '0' || cleaned
            else repair_tracking_token(cleaned)
        end as tracking_no,
        coalesce(damage in ('scientific_lost_digits', 'truncated_15_digits'), false)
            as is_mangled
    from repaired
),

candidates as (
    select tracking_no, candidate_carriers(tracking_no) as candidate_carriers
    from (select distinct tracking_no from numbered where not is_mangled)
),

final as (
    select
        n.order_id,
        n.tracking_no,
        min(n.tracking_raw) as tracking_raw,
        min(n.damage) as damage,
        bool_or(n.is_mangled) as is_mangled,
        min(n.carrier_code) as carrier_code,
        coalesce(any_value(c.candidate_carriers), []) as candidate_carriers
    from numbered n
    left join candidates c using (tracking_no)
    group by n.order_id, n.tracking_no
)

select * from final
