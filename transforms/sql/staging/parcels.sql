-- Parcels: the tracking numbers of each order, split, cleaned, Excel damage repaired or marked,
-- with the set of carriers each number may belong to.
-- grain: (order_id, tracking_no); orders without any number have no row here
-- params: none; reads stg_orders
with

orders as (
    select order_id, carrier_code, tracking_no_raw from stg_orders
    where tracking_no_raw is not null
),

patterns as (
    select * from carrier_patterns
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

cleaned as (
    select
        order_id,
        carrier_code,
        token as tracking_raw,
        clean_tracking_token(token) as cleaned
    from tokens
    where clean_tracking_token(token) <> ''
),

repaired as (
    select
        *,
        case
            -- SF's 12-digit numbers may start with 0, which a numeric cell drops
            when carrier_code = 'shunfeng' and regexp_full_match(cleaned, '\d{11}')
                then 'leading_zero_lost'
            else excel_damage(cleaned)
        end as damage
    from cleaned
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

distinct_numbers as (
    select distinct tracking_no from numbered where not is_mangled
),

candidates as (
    select
        n.tracking_no,
        list(distinct p.code order by p.code) as candidate_carriers
    from distinct_numbers n
    join patterns p
      on regexp_full_match(n.tracking_no, p.regex)
     and (not p.s10 or s10_check_ok(n.tracking_no))
    group by n.tracking_no
),

final as (
    select
        n.order_id,
        n.tracking_no,
        any_value(n.tracking_raw) as tracking_raw,
        any_value(n.damage) as damage,
        bool_or(n.is_mangled) as is_mangled,
        any_value(n.carrier_code) as carrier_code,
        coalesce(any_value(c.candidate_carriers), []) as candidate_carriers
    from numbered n
    left join candidates c using (tracking_no)
    group by n.order_id, n.tracking_no
)

select * from final
