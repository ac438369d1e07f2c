-- Claims take queued jobs in (priority, run_at, id) order: an index in exactly that order lets
-- the database read the first due jobs instead of sorting every queued one.
DROP INDEX jobs_ready;
CREATE INDEX jobs_ready ON jobs (priority, run_at, id) WHERE state = 'queued';

-- Case-insensitive search over buyer login, e-mail and name with Polish, Czech, Slovak and
-- Hungarian letters folded by Nadajnik itself (core/text.hpp FoldCase), so both backends agree
-- whatever the database's locale. Rows written before this migration get an ASCII-folded copy
-- and the full folding at their next update.
ALTER TABLE orders ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE orders SET search_text = LOWER(buyer_login || ' ' || buyer_email || ' ' || buyer_name || ' ' || checkout_form_id);
