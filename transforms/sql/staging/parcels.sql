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
    -- cleaning and damage are regex work: once per distinct text, not once per order
    select token, cleaned, damage, repair_damage(cleaned, damage) as repaired,
           regexp_full_match(cleaned, '\d{11}') as eleven_digits
    from (select token, cleaned, excel_damage(cleaned) as damage
          from (select token, clean_tracking_token(token) as cleaned
                from (select distinct token from tokens)))
    where cleaned <> ''
),

repaired as (
    select
        t.order_id,
        t.carrier_code,
        t.token as tracking_raw,
        d.cleaned,
        d.repaired,
        -- SF's 12-digit numbers may start with 0, which a numeric cell drops
        case when t.carrier_code = 'shunfeng' and d.eleven_digits then 'leading_zero_lost'
             else d.damage end as damage
    from tokens t
    join distinct_tokens d using (token)
),

numbered as (
    select
        order_id,
        carrier_code,
        tracking_raw,
        damage,
        case when damage = 'leading_zero_lost' then '0' || cleaned
             else repaired end as tracking_no,
        coalesce(damage in ('scientific_lost_digits', 'truncated_15_digits'), false)
            as is_mangled
    from repaired
),

final as (
    -- whether a number is mangled follows from the number itself, so every line of a group
    -- agrees; a mangled number fits no carrier's pattern worth trusting
    select
        order_id,
        tracking_no,
        min(tracking_raw) as tracking_raw,
        min(damage) as damage,
        bool_or(is_mangled) as is_mangled,
        min(carrier_code) as carrier_code,
        case when bool_or(is_mangled) then []
             else candidate_carriers(tracking_no) end as candidate_carriers
    from numbered
    group by order_id, tracking_no
)

select * from final
