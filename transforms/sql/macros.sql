-- Macros shared by the staging queries. Executed once per connection (several statements).

-- Tracking-number cleaning (docs/contracts.md, rules): full-width → half-width, remove all white space
-- (including NBSP, zero-width space, BOM, ideographic space), strip a ="…" wrapper and a
-- leading apostrophe, upper-case.
-- (a token that is already clean, as nearly all are, skips the costly full-width mapping)
create or replace macro clean_tracking_token(t) as case
    when regexp_full_match(t, '[0-9A-Z]+') then t else upper(
    regexp_replace(
        regexp_replace(
            regexp_replace(
                translate(t, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '),
                '[\s\x{00A0}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]', '', 'g'),
            '^="?(.*?)"?$', '\1'),
        '^''+', '')
) end;

-- Excel damage: what kind of damage a cleaned token shows, if any.
-- repairable: float_dot_zero, scientific_full_mantissa, jd_child_suffix;
-- unrecoverable (MANGLED): scientific_lost_digits, truncated_15_digits.
create or replace macro excel_damage(t) as case
    when regexp_full_match(t, '\d+\.0+') then 'float_dot_zero'
    when regexp_full_match(t, '\d(\.\d+)?E\+?\d+') then
        case when length(replace(regexp_extract(t, '^([\d.]+)E', 1), '.', ''))
                  = try_cast(regexp_extract(t, 'E\+?(\d+)$', 1) as integer) + 1
             then 'scientific_full_mantissa'
             else 'scientific_lost_digits' end
    when regexp_full_match(t, '\d{16,}') and regexp_full_match(substr(t, 16), '0+')
        then 'truncated_15_digits'
    when regexp_full_match(t, 'JD[A-Z0-9]+-\d+-\d+') then 'jd_child_suffix'
end;

-- A duration for people: hours up to two days, then days ("31.5 小时", "7.3 天").
create or replace macro duration_text(h) as case
    when h is null then null
    when h > 48 then format('{:g} 天', round(h / 24, 1))
    else format('{:g} 小时', round(h, 1))
end;

create or replace macro duration_text_en(h) as case
    when h is null then null
    when h > 48 then format('{:g} days', round(h / 24, 1))
    else format('{:g} hours', round(h, 1))
end;

-- The repaired number for repairable damage; the token itself otherwise.
create or replace macro repair_tracking_token(t) as case excel_damage(t)
    when 'float_dot_zero' then regexp_extract(t, '^(\d+)\.', 1)
    when 'scientific_full_mantissa' then replace(regexp_extract(t, '^([\d.]+)E', 1), '.', '')
    when 'jd_child_suffix' then regexp_extract(t, '^(JD[A-Z0-9]+)-', 1)
    else t
end;

-- UPU S10 check digit (weights 8 6 4 2 3 5 9 7, mod 11; 10 → 0, 11 → 5) on chars 3–11.
create or replace macro s10_check_ok(n) as (
    with s as (
        select 11 - ((
              8 * try_cast(substr(n, 3, 1) as integer) + 6 * try_cast(substr(n, 4, 1) as integer)
            + 4 * try_cast(substr(n, 5, 1) as integer) + 2 * try_cast(substr(n, 6, 1) as integer)
            + 3 * try_cast(substr(n, 7, 1) as integer) + 5 * try_cast(substr(n, 8, 1) as integer)
            + 9 * try_cast(substr(n, 9, 1) as integer) + 7 * try_cast(substr(n, 10, 1) as integer)
        ) % 11) as c
    )
    select (case c when 10 then 0 when 11 then 5 else c end) = try_cast(substr(n, 11, 1) as integer)
    from s
);

-- Province names as the zone tables write them: 江苏省 → 江苏, 新疆维吾尔自治区 → 新疆.
create or replace macro norm_province(p) as regexp_replace(
    trim(p), '(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$', '');

-- Canonical event status without codes (docs/domain.md, courier scans): specific scan texts first (a locker
-- drop-off is reported with the status word 派件, a proxy signature with 签收), then
-- Kuaidi100's status word, then generic scan texts.
create or replace macro status_from_text(status_text, context) as case
    when context similar to '.*(代签|代收).*' then 'SIGNED_PROXY'
    when context similar to '.*(驿站|快递柜|丰巢|自提柜|自提点).*签收.*' then 'SIGNED_LOCKER'
    when context similar to '.*(退签|退回.*签收).*' then 'RETURN_SIGNED'
    when context similar to '.*(驿站|快递柜|丰巢|自提柜|自提点|待取件|取件码).*' then 'AT_LOCKER'
    when context similar to '.*(拒收|拒签).*' then 'REFUSED'
    when context similar to '.*退回.*' then 'RETURNING'
    when context similar to '.*(转单|转投|转寄).*' then 'FORWARDED'
    when context similar to '.*(无法联系|超区|滞留|破损|疑难|地址不详).*' then 'PROBLEM'
    when status_text = '揽收' then 'PICKED_UP'
    when status_text = '在途' then 'IN_TRANSIT'
    when status_text = '派件' then 'OUT_FOR_DELIVERY'
    when status_text = '签收' then 'SIGNED'
    when status_text = '退签' then 'RETURN_SIGNED'
    when status_text = '退回' then 'RETURNING'
    when status_text in ('转投', '转单') then 'FORWARDED'
    when status_text = '清关' then 'CUSTOMS'
    when status_text in ('拒签', '拒收') then 'REFUSED'
    when status_text = '疑难' then 'PROBLEM'
    when status_text in ('下单', '待揽收') then 'ORDERED'
    when context similar to '.*(待揽收|已下单|等待揽收|等待快递揽收).*' then 'ORDERED'
    when context similar to '.*签收.*' then 'SIGNED'
    when context similar to '.*(派件|派送).*' then 'OUT_FOR_DELIVERY'
    when context similar to '.*(揽收|揽件|已收件|已收取).*' then 'PICKED_UP'
    when context similar to '.*清关.*' then 'CUSTOMS'
    when context similar to '.*销单.*' then 'CANCELLED'
    else 'IN_TRANSIT'
end;

-- Personal data in every output: 13812341234 → 138****1234, 张三 → 张*.
create or replace macro mask_phone(p) as case
    when p is null then null
    when length(regexp_replace(p, '\D', '', 'g')) >= 7
        then left(regexp_replace(p, '\D', '', 'g'), 3) || '****'
             || right(regexp_replace(p, '\D', '', 'g'), 4)
    else '****'
end;

create or replace macro mask_name(n) as case
    when n is null then null
    else left(trim(n), 1) || repeat('*', greatest(length(trim(n)) - 1, 1))
end;

-- Text a spreadsheet would run as a formula (= + - @, tab, CR) made inert with a leading '.
create or replace macro inert(x) as case
    when regexp_matches(x, '^[=+\-@\t\r]') then '''' || x else x
end;
