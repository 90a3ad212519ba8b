-- Tracking events as a run at $as_of sees them: cleaned numbers, canonical status, duplicates
-- across pushes removed (same number, time and text).
-- grain: (tracking_no, event_time, context)
-- params: $as_of
with

raw as not materialized (
    select rowid as _rid, * from tracking_csv
    where event_time <= $as_of
),

codes as (
    select * from status_codes
),

numbers as (
    -- cleaning is regex work: once per distinct number, not once per event
    select raw, tracking_no, hash(tracking_no) as number_hash
    from (select raw, repair_tracking_token(clean_tracking_token(raw)) as tracking_no
          from (select distinct tracking_no as raw from raw))
),

files as (
    -- the files in name order
    select _file, row_number() over (order by _file) as file_order
    from (select distinct _file from raw)
),

copies as (
    -- each push repeats the whole history: of the copies of an event (same cleaned number,
    -- time and text) the first by file, then row, is kept. Within a file, row ids follow the
    -- rows (each file is loaded in order; tests/schemas/test_ingest.py holds it), so (file,
    -- row id) orders the copies and packs into one bigint, file_order * 2^34 + row id, the
    -- only value carried through the aggregate, which groups on the cleaned number's and the
    -- text's 64-bit hashes, not on the strings (fixed-width keys: 7.5 → 7.1 CPU-seconds for
    -- this statement on a million orders; two distinct events are taken for copies only if
    -- both hashes collide at the same time). Only events that have copies are listed, each
    -- with the one kept: `coded` drops the others by a join to this short list, not a join
    -- to a row per event.
    select n.number_hash, r.event_time, hash(r.context) as text_hash,
           min(f.file_order * 17179869184 + r._rid) % 17179869184 as kept_rid
    from raw r
    join numbers n on n.raw = r.tracking_no
    join files f using (_file)
    group by n.number_hash, r.event_time, hash(r.context)
    having count(*) > 1
),

coded as (
    select
        n.tracking_no,
        r.event_time,
        r.context,
        r.area,
        r.status_text,
        r._file,
        r._row,
        coalesce(r.status_code, r.state) as code,
        coalesce(c_adv.status, c_state.status) as code_status,
        coalesce(c_adv.exception_subtype, c_state.exception_subtype) as code_subtype
    from raw r
    join numbers n on n.raw = r.tracking_no
    left join copies c
        on c.number_hash = n.number_hash and c.event_time = r.event_time
       and c.text_hash = hash(r.context)
    left join codes c_adv on c_adv.code = r.status_code
    left join codes c_state on c_state.code = r.state
    where c.kept_rid is null or c.kept_rid = r._rid
),

texts as (
    -- the scan text is read only where no code says the status, once per distinct text;
    -- found among the raw events, so that `coded` has one reader and is never held whole
    select status_text, context, status_from_text(status_text, context) as text_status
    from (select distinct status_text, context from raw
          where not coalesce(status_code in (select code from codes), false)
            and not coalesce(state in (select code from codes), false))
),

read as (
    -- a text with no cue at all is read as in transit, and warned about (warnings.csv)
    select
        d.*,
        coalesce(d.code_status, t.text_status, 'IN_TRANSIT') as status,
        d.code_status is null and t.text_status is null as unclassified
    from coded d
    left join texts t
        on d.code_status is null
       and t.context is not distinct from d.context
       and t.status_text is not distinct from d.status_text
),

final as (
    select
        tracking_no,
        event_time,
        code,
        status,
        code_subtype,
        context,
        area,
        -- the province only matters where the parcel is delivered (DEST_MISMATCH)
        case when status in ('OUT_FOR_DELIVERY', 'SIGNED', 'SIGNED_PROXY', 'SIGNED_LOCKER')
             then nullif(norm_province(regexp_extract(area, '^([^,，\s]+)', 1)), '')
        end as province,
        unclassified,
        _file,
        _row
    from read
)

select * from final
