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

-- The repaired number for a token with repairable damage (excel_damage); the token itself
-- otherwise.
create or replace macro repair_damage(t, damage) as case damage
    when 'float_dot_zero' then regexp_extract(t, '^(\d+)\.', 1)
    when 'scientific_full_mantissa' then replace(regexp_extract(t, '^([\d.]+)E', 1), '.', '')
    when 'jd_child_suffix' then regexp_extract(t, '^(JD[A-Z0-9]+)-', 1)
    else t
end;

-- The same, the damage read from the token.
create or replace macro repair_tracking_token(t) as repair_damage(t, excel_damage(t));

-- UPU S10 check digit (weights 8 6 4 2 3 5 9 7, mod 11; 10 → 0, 11 → 5) on chars 3–11.
-- Plain expressions, no subquery: a scalar subquery in a macro is planned as a join over
-- every number, even those the S10 pattern already ruled out.
create or replace macro s10_remainder(n) as 11 - ((
      8 * try_cast(substr(n, 3, 1) as integer) + 6 * try_cast(substr(n, 4, 1) as integer)
    + 4 * try_cast(substr(n, 5, 1) as integer) + 2 * try_cast(substr(n, 6, 1) as integer)
    + 3 * try_cast(substr(n, 7, 1) as integer) + 5 * try_cast(substr(n, 8, 1) as integer)
    + 9 * try_cast(substr(n, 9, 1) as integer) + 7 * try_cast(substr(n, 10, 1) as integer)
) % 11);

create or replace macro s10_check_ok(n) as
    (case s10_remainder(n) when 10 then 0 when 11 then 5 else s10_remainder(n) end)
    = try_cast(substr(n, 11, 1) as integer);

-- Province names as the zone tables write them: 江苏省 → 江苏, 新疆维吾尔自治区 → 新疆.
create or replace macro norm_province(p) as regexp_replace(
    trim(p), '(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$', '');

-- Status from a scan text alone (flat tracking exports without Kuaidi100 codes).
-- The text is read for what HAPPENED, by cues that do not depend on word order:
--   * phrases that ask, announce or set a condition ("请您准备签收", "请及时取件",
--     "如有疑问请联系派件员", "预计明天送达", "快件将退回", "签收前请验货", "如客户拒收")
--     are cut out before looking for a signature, a refusal or a delivery, so they never
--     count as having happened; a request to collect is itself the cue that the
--     parcel waits at a station or locker;
--   * stations and lockers are a vocabulary (scan_venues), and so are the people who sign
--     for someone else (scan_proxies);
--   * a signature is read before anything else, then the other states by how specific
--     they are: a text that says "arrived, courier is delivering" is out for delivery.
-- The 状态 column (Kuaidi100's status name), when an export has it, decides between the
-- generic states (in transit, out for delivery, picked up); the text decides the specific
-- ones (signed, waiting at a locker, problem, refused, returned).
-- NULL means no cue at all: the caller reads it as IN_TRANSIT and warns (warnings.csv).
create or replace macro scan_venues() as
    '驿站|快递柜|智能柜|丰巢|自提柜|自提点|代收点|代理点|快递超市|快递点|收件宝|速递易|近邻宝|'
    || '兔喜|格格货栈|熊猫快收|中邮e站|云柜|快宝|包裹柜|存包柜|便利店|超市|取件点|代办点|'
    -- 邮政's smart parcel boxes in residential buildings, opened with a code like a locker
    || '信包箱|'
    -- 中通 names a pickup point by its network and its place: 【菜鸟的广州石溪永宁大街15号店】,
    -- 【多多买菜的鹤岭19幢一单元】, 【邻里驿站的中豪船城快递】
    || '【[^【】，。；]{1,12}的[^【】，。；]{1,30}】';

create or replace macro scan_proxies() as
    '代签|他人代收|他人收|他人签收|门卫|门岗|保安|前台|物业|收发室|收发章|传达室|家人|同事|朋友|亲属|邻居|'
    -- a parcel left at the door ("签收人：家门口", "放门外") was signed by no one: the customer
    -- hears where it is, as after a guard's signature, before reporting 签收未收到 (not a place
    -- named …门外, 西直门外大街)
    || '单位签收|公司签收|指定地点|家门口|放[在至到]?门(口|外)|签收人[:：\s【]{0,3}门口';

-- what a text asks for, announces, makes a condition of or says may happen, cut out before
-- looking for what happened: "签收前请验货", "到达后需本人签收", "若不方便签收…", "支持驿站代收服务",
-- "【签收提醒】", "快件可能延误", and a warning of what follows if a parcel stays uncollected,
-- whole clause ("超过3天未取将退回", "超时未取将由快递员取回", "如超时未取")
create or replace macro scan_facts(c) as
    regexp_replace(c, '(请|如需|如有|如您|预计|将于|将在|准备)[^，。；！,;!]*|'
                      -- 如 and 若 only opening a condition, 支持 only opening a clause, 需 and 要求
                      -- only before a signature: a place's name may hold them (如皋市, 若羌县,
                      -- 【若水驿站】)
                      || '(如|若)(果|客户|收件人|发现|不|遇|因|未|需|有|您|是|要)[^，。；！,;!]*|'
                      || '(^|[，。；！,;!\s])支持[^，。；！,;!]*|(需|须|要求)[^，。；！,;!【】]{0,8}签收|'
                      || '(即将|将要|将会|将)(退回|退件|返回|派送|派件|送达|签收|投递|转寄)[^，。；！,;!]*|'
                      || '签收(前|时)[^，。；！,;!]*|签收提醒|'
                      -- an offer, to the end of its sentence (中通's "也可以联系小哥将您的快递，放到您
                      -- 指定的代收点", 德邦's "也可联系小哥将包裹放置指定地点")
                      || '也可(以)?(联系|让|要求)[^。；！;!]*|'
                      -- what may happen: the notices of 2020–2022 (受疫情影响，快件可能延误)
                      || '(可能|或将|或有|或会|或存在|也许)[^，。；！,;!]*|'
                      || '[^，。；！,;!]*(未(取|领|提)[^，。；]{0,3}(将|会|则|的话|需|要)|'
                      || '(超时|超期|逾期)[^，。；]{0,4}(将|会|则|后|的话|需|要|收)|'
                      || '(如|若)[^，。；]{0,4}(超时|超期|逾期|超过))[^，。；！,;!]*', '', 'g');

-- a receiver no one could reach, an address outside the carrier's area: problems, and the
-- subtype a DELIVERY_EXCEPTION read from text names (Kuaidi100's 206 无法联系, 207 超区)
create or replace macro scan_unreachable() as
    '无法联系|联系不上|无法接通|未接通|(电话|手机)[^，。；]{0,4}(无人接听|错误|空号|关机|停机)|'
    -- the receiver was not there (收件人不在家); not a zone (不在服务范围: scan_out_of_area)
    || '(收件人|收方|客户|收货人)[^，。；]{0,4}不在([^服派配范]|$)';

create or replace macro scan_out_of_area() as
    -- not a courier's label (申通小哥（超区洪大赣江城/…）正在为您派送)
    '([^（(]|^)超区|(超出|不在)[^，。；]{0,6}(服务|派送|配送)范围';

-- a parcel left in a locker or station past its time (已超时未取, 超过3天未取, 存放已超过48小时):
-- Kuaidi100's 205 柜或驿站超时未取; read from the facts, which have lost the warnings of what
-- follows if it stays (scan_facts)
create or replace macro scan_overdue_pickup(f) as regexp_matches(f,
    '(超时|超期|逾期|长时间|多日|多天)[^，。；]{0,2}未(取|领|提)|'
    || '超过[^，。；]{0,6}(天|小时|日)[^，。；]{0,4}未(取|领|提)|'
    || '(存放|滞留|放置|保管|暂存)[^，。；]{0,16}(超过|已满)[^，。；]{0,6}(天|小时|日)');

-- the DELIVERY_EXCEPTION subtype the facts of a problem's text (scan_facts) name, as
-- Kuaidi100's 205–209 would
create or replace macro scan_problem_subtype(f) as case
    when scan_overdue_pickup(f) then 'LOCKER_UNCOLLECTED'
    when regexp_matches(f, scan_unreachable()) then 'UNREACHABLE'
    when regexp_matches(f, scan_out_of_area()) then 'OUT_OF_AREA'
    when regexp_matches(f, '滞留|留仓') then 'HELD'
    when regexp_matches(f, '破损') then 'DAMAGED'
end;

-- the people who carry a parcel the last mile, as the texts name them (快递员已领取快件,
-- 快件已被派件员从【菜鸟驿站】取出)
create or replace macro scan_couriers() as '快递员|派件员|派送员|配送员|快递小哥';

-- a code to collect with: waiting for pickup, or (in a signature) signed at a locker/station
create or replace macro scan_pickup_codes() as '取件码|取货码|提货码|凭[^，。；]{0,4}码';

create or replace macro scan_awaiting_pickup(c) as regexp_matches(c,
    '待取件|待取货|待领取|未取|' || scan_pickup_codes() || '|'
    -- a message sent to come for it (已发送取件短信, 领取通知)
    || '(取件|取货|领取|提货)(短信|通知|提醒)|'
    -- 极兔's call from an agent point: 极兔喊您取件啦！
    || '喊您[^，。；！]{0,2}取件|'
    || '(请|尽快|及时)[^，。；]{0,10}(取件|取货|领取|提取|取走|自提)');

-- taken out by someone: 已被取出, 已从丰巢智能柜取出, 已由本人在驿站取件, 已在自提点完成提货,
-- 已出库 (no wait, request or notice between); a code or a message sent for it (已发送取件码,
-- 已为您生成提货码, 已发送领取通知, 已发送取件短信) or a notice to come for it (已短信通知取件)
-- is the parcel waiting
create or replace macro scan_collected(f) as
    regexp_matches(f, '已[^，。；,待未请通知]{0,20}(取出|取走|取件|领取|提取|提货|出库)([^码通短信提]|$)');

create or replace macro scan_signed(f) as
    regexp_matches(f, '签收|妥投|(投递|派送|派件|配送|送货)成功|已被[^，。；]{0,6}(取走|领取)|已取走|已领取')
    and not regexp_matches(f, '(未|没有?|失败|无法|不能|拒绝?|待|等待|无需|不方便|再)签收|签收失败|未妥投|'
                              -- a courier's pickup task taken (快递员已领取揽收任务)
                              || '领取(揽|[^，。；]{0,2}任务)');

-- the words of a parcel going back to its sender
create or replace macro scan_returns() as '退回|退件|退货';

-- a return that has begun ("已退回", "正在退回", "已安排退回", "退回原因：…"): what the parcel does
-- now, whatever made it (a refusal, a parcel left uncollected)
create or replace macro scan_return_begun(f) as
    regexp_matches(f, '(已|正在)(安排|办理)?(' || scan_returns() || '|返回)|(' || scan_returns() || ')原因');

create or replace macro scan_strong_status(c, f) as case
    -- a courier who took the parcel at the branch (快递员已领取快件) is delivering it, or taking it
    -- back (快递员已领取退回件): no signature (one who took a pickup task, 快递员已领取揽收任务,
    -- has not come yet)
    when regexp_matches(f, '(' || scan_couriers() || ')[^，。；]{0,4}(领取|领件)([^揽任]|$)')
        then case when regexp_matches(f, scan_returns()) then 'RETURNING' else 'OUT_FOR_DELIVERY' end
    -- taken back out of a station to be delivered again (极兔's 快件取出扫描: 您的包裹已从【兔喜生活】
    -- 重新取出，极兔小哥将继续为您派件): no one collected it
    when regexp_matches(f, '重新取出|(取出|取回)[^。；]{0,16}(继续|重新)[^，。；]{0,4}(派件|派送|配送|投递)')
        then 'OUT_FOR_DELIVERY'
    -- a courier took the parcel: back out of a locker or station, it no longer waits there
    -- (a 501 scan); from no such place, it was picked up from the sender. Never a signature
    -- (one taken out to go back, 超时未取，已被快递员取出，退回寄件人, is returning; 退货, goods a
    -- customer sends back, is a parcel picked up like any other)
    when regexp_matches(f, '(' || scan_couriers() || '|业务员)[^，。；]{0,40}(取回|取出|取走)') then
        case when regexp_matches(f, '退回|退件') then 'RETURNING'
             when regexp_matches(c, scan_venues()) or regexp_matches(f, '未取|超时|超期|逾期')
             then 'OUT_FOR_DELIVERY' else 'PICKED_UP' end
    -- returned, then signed: within a clause, or in the next one ("已退回寄件人，已签收")
    when regexp_matches(f, '退签|(' || scan_returns() || ')[^，。；]{0,20}(签收|妥投)|'
                           || '(寄件人|发件人|商家|卖家)[^，。；要]{0,6}签收')
      or (regexp_matches(f, '(' || scan_returns() || ')[^，。；]{0,20}[，,][^，。；]{0,8}(签收|妥投)')
          and scan_signed(f))
        then 'RETURN_SIGNED'
    -- a refusal named as the reason of a return that has begun ("已退回，退回原因：收件人拒收")
    -- is that return; a return still to come ("将退回", cut from the facts) leaves the refusal
    when regexp_matches(f, '拒收|拒签|拒绝签收|拒绝接收') and not scan_return_begun(f)
        then 'REFUSED'
    -- the customer took the parcel out of a locker or station (丰巢's 已被取出, 菜鸟驿站's 已出库),
    -- or with its code (已被收件人凭取件码取出): Kuaidi100's 304, a signature there, with no 签收
    -- in the text; never a request or a wait
    when scan_collected(f) and regexp_matches(c, scan_venues() || '|' || scan_pickup_codes())
         and not regexp_matches(f, scan_returns())
        then 'SIGNED_LOCKER'
    when scan_signed(f) then case
        -- 中通's 签收人在【原菜鸟】取件: the customer collected it from a pickup point; who or
        -- where signed is read from the facts ("如有疑问请联系物业" names no signer), but a
        -- signature that asks the customer to come for the parcel is a station's
        when regexp_matches(f, scan_venues() || '|' || scan_pickup_codes()
                               || '|签收人在[^，。；]{0,30}(取件|领取)')
          or scan_awaiting_pickup(c) then 'SIGNED_LOCKER'
        when regexp_matches(f, scan_proxies()) then 'SIGNED_PROXY'
        else 'SIGNED'
    end
    -- 中通's "快件已被【菜鸟的…店】代收" (or 【…驿站】, 【今世缘酒业】) is a station taking the parcel in:
    -- 中通's own action INBOUND (入站) and 菜鸟's STA_INBOUND; the customer's collection follows
    -- (签收人在【…】领取). "已投递【…店】" is the same hand-over (中通's HANDOVERSCAN_SIGNED). A
    -- guard named alone (已被【门卫】代收) signed for the customer
    when regexp_matches(f, '已被【[^【】]+】代收|已投递【[^【】]+】')
         and not regexp_matches(f, '已被【[^【】]{0,4}(' || scan_proxies() || ')[^【】]{0,2}】代收')
         and not scan_return_begun(f)
        then 'AT_LOCKER'
    -- collected by a station with no request to come for it: the station signed (JD's "已由快递驿站代收");
    -- a locker cannot sign, so a parcel a locker "collected" waits in it (中通's "已被【丰巢…柜】代收")
    when regexp_matches(f, '(' || scan_venues() || ')[^，。；]{0,6}代收') and not scan_awaiting_pickup(c)
         and not regexp_matches(f, '柜[^，。；]{0,6}代收')
        then 'SIGNED_LOCKER'
    when regexp_matches(f, '(' || scan_proxies() || ')[^，。；]{0,6}代收') then 'SIGNED_PROXY'
    -- a parcel left there past its time is a problem now (Kuaidi100's 205), not a wait still
    -- within locker_uncollected; one sent back because no one came for it (已退回，退回原因：
    -- 超时未取) is returning
    when scan_overdue_pickup(f) and not scan_return_begun(f) then 'PROBLEM'
    when (scan_awaiting_pickup(c)
      or regexp_matches(f, '(暂存|暂放|存放|存入|放入|投入|放至|放到|投递至|投递到|送至|送达|到达|已到|抵达|投放|入柜|投柜|代收|寄存|保管)[^，。；]{0,24}('
                            || scan_venues() || ')|(' || scan_venues()
                            || ')[^，。；]{0,12}(代收|暂存|存放|保管)')
      -- 中通's hand-over to a pickup point of 2019–2021 names the place alone ("快件已送达【正方
      -- 云创园】，感谢您使用中通快递"); a hub or branch so named (已送达【北京转运中心】) is transit
      or (regexp_matches(f, '已送达【[^【】]+】')
          and not regexp_matches(f, '已送达【[^【】]*(中心|中转|转运|分拨|集散|网点|营业|公司|部)】')))
         and not scan_return_begun(f)
        then 'AT_LOCKER'
    when regexp_matches(f, scan_returns() || '|返回(寄件|发件|商家|卖家)|原路返回|返货') then 'RETURNING'
    when regexp_matches(f, scan_unreachable() || '|' || scan_out_of_area() || '|'
                           || '滞留|留仓|破损|疑难|问题件|地址(不详|错误|有误|不全)|'
                           || '(派送|派件|投递|配送)(不成功|未成功|失败|异常)|无法(派送|派件|投递|配送|送达)|未妥投|妥投失败|失败签收|签收失败|延误|异常|拦截|'
                           -- a lost parcel (快件丢失，正在理赔)
                           || '丢失|遗失|丢件|(正在|已)理赔|理赔中')
        then 'PROBLEM'
    -- handed to another carrier (转交邮政派送, 新单号：…)
    when regexp_matches(f, '转单|转投|转寄|转交[^，。；]{0,6}(快递|物流|公司|邮政|速递|EMS)|新(运)?单号')
        then 'FORWARDED'
    -- delivered with nothing after it ("您的包裹已送达，感谢您的耐心等待", 京东's "已完成配送"): a
    -- signature; one delivered to a place (已送达【…驿站】, 已送达至派件网点) or asked to be
    -- collected is not
    when regexp_matches(f, '已(成功)?送达([，。；！!,;\s]|$)|送达成功|已完成(配送|派送|投递)([，。；！!,;\s]|$)')
        then 'SIGNED'
end;

create or replace macro scan_pickup_words() as
    '揽收|揽件|已揽|已收件|已收取|收取快件|收寄|已取件|上门取件|收货完成|'
    || '交付[^，。；]{0,6}(快递|物流|速递|速运|邮政)';

create or replace macro scan_weak_status(f) as case
    when regexp_matches(f, '销单|取消寄件|订单已取消|已取消') then 'CANCELLED'
    when regexp_matches(f, '清关|海关') then 'CUSTOMS'
    when regexp_matches(f, '派件|派送|配送中|正在配送|开始配送|投递中|正在投递|开始投递|安排投递|为您派|'
                           || '配送员|派件员|'
                           -- 极兔's 出仓扫描 of 2020: 极兔小哥…正带着包裹来见您
                           || '带着(您的)?(包裹|快递|快件)|'
                           -- 顺丰's opCode 44 (派送) since 2023: 我们正在为您的快件分配最合适的快递员
                           || '为您的(快件|包裹)分配')
        then 'OUT_FOR_DELIVERY'
    -- 京东's 揽收任务已分配给… (a courier sent for the parcel), 下次揽收时间… (a pickup put off)
    -- and 正在通知韵达快递取件 are not the parcel picked up
    when regexp_matches(f, '待揽收|待揽件|揽收任务|下次揽收|已经?下单|下单成功|'
                           || '已接单|已打印|提交订单|等待系统确认|通知[^，。；]{0,10}(取件|揽收|揽件)|'
                           || '(等待|等候|预约)[^，。；]{0,8}(揽收|揽件|上门)')
        then 'ORDERED'
    -- a pickup is what a scan did, not a site's name (邮政's 离开【会理大宗收寄处理组】 is in transit);
    -- the names are cut out only from the texts that hold a pickup word (few: a copy of each
    -- text cost 0.4 s on 3.12M texts); a hand-over still to come (京东's 拣货完毕，待出库交付京东物流)
    -- is a warehouse step
    when regexp_matches(f, scan_pickup_words())
         and regexp_matches(regexp_replace(f, '【[^】]*】', '', 'g'), scan_pickup_words())
         and not regexp_matches(f, '待[^，。；]{0,4}交付') then 'PICKED_UP'
    -- the seller's warehouse steps (订单开始处理, 审核, 拣货, 配货, 验货, 打包, 出库) are in transit
    -- too, as Kuaidi100 names them;
    -- 百世 writes an arrival as 到【网点】, 天天 as 到常州市【常州市区点】
    when regexp_matches(f, '到达|已到|到[^，。；【]{0,8}【|到\[|离开|发出|发往|下一站|已收入|打包|装车|卸车|分拣|称重|运输|'
                           || '中转|转运|在途|经转|发车|出发|途中|航班|干线|入库|出库|出仓|拣货|配货|验货|审核|'
                           || '订单开始处理|进入|库房|交接|封发|拆包|建包|装包|营业部|营业点|到件|发件|出港|进港|处理中心|分拨|集散|揽投部|收箱|'
                           -- 邮政's sealed bags: 已出口直封 (sealed for its destination), 已进口开拆 (opened)
                           || '直封|开拆')
        then 'IN_TRANSIT'
end;

-- Kuaidi100's status names (the 状态 column of flat exports, `status` of resultv2 events)
create or replace macro status_from_name(n) as case n
    when '揽收' then 'PICKED_UP' when '在途' then 'IN_TRANSIT' when '干线' then 'IN_TRANSIT'
    when '到达派件城市' then 'IN_TRANSIT' when '转递' then 'IN_TRANSIT'
    when '派件' then 'OUT_FOR_DELIVERY' when '投柜或驿站' then 'AT_LOCKER'
    when '签收' then 'SIGNED' when '代签' then 'SIGNED_PROXY' when '投柜或站签收' then 'SIGNED_LOCKER'
    when '退签' then 'RETURN_SIGNED' when '退回' then 'RETURNING'
    when '转投' then 'FORWARDED' when '转单' then 'FORWARDED' when '清关' then 'CUSTOMS'
    when '拒签' then 'REFUSED' when '拒收' then 'REFUSED' when '疑难' then 'PROBLEM'
    when '下单' then 'ORDERED' when '待揽收' then 'ORDERED' when '销单' then 'CANCELLED'
    -- the sub-states' names (Kuaidi100's 高级物流状态, as transforms.reference.STATUS_CODES)
    when '已下单' then 'ORDERED' when '已揽收' then 'PICKED_UP'
    when '本人签收' then 'SIGNED' when '派件异常后签收' then 'SIGNED' when '已销单' then 'CANCELLED'
    when '超时未签收' then 'PROBLEM' when '超时未更新' then 'PROBLEM' when '派件异常' then 'PROBLEM'
    when '柜或驿站超时未取' then 'PROBLEM' when '无法联系' then 'PROBLEM' when '超区' then 'PROBLEM'
    when '超出快递公司的服务区范围' then 'PROBLEM' when '滞留' then 'PROBLEM' when '破损' then 'PROBLEM'
    when '待清关' then 'CUSTOMS' when '清关中' then 'CUSTOMS' when '已清关' then 'CUSTOMS'
    when '清关异常' then 'CUSTOMS'
end;

-- Every cue of scan_strong_status needs one of these words (the venues included), so a text
-- with none of them, as most scans in transit are, skips its dozen patterns for one pass.
create or replace macro scan_strong_words() as
    '取|退|签|妥|拒|返|代收|凭|提货码|自提|出库|转单|转投|转寄|转交|联系不上|接听|错误|空号|'
    || '接通|成功|无法|关机|停机|超区|范围|滞留|留仓|破损|疑难|问题件|地址|失败|异常|延误|拦截|'
    || '未领|超过|已满|送达|丢失|遗失|丢件|理赔|单号|不在|完成配送|完成派送|完成投递|已投递【|' || scan_venues();

create or replace macro status_from_text(status_text, context) as coalesce(
    case when regexp_matches(context, scan_strong_words())
         then scan_strong_status(context, scan_facts(context)) end,
    status_from_name(status_text),
    scan_weak_status(scan_facts(context)));

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
