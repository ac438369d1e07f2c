-- Text search over a million orders: a trigram index (pg_trgm) over orders.search_text, which
-- PostgreSQL uses for LIKE '%...%' by itself. pg_trgm ships with PostgreSQL and is a trusted
-- extension (the database owner may create it); where it can't be created the index is left
-- out and searches scan, as before, instead of the migration failing.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX orders_search_trgm ON orders USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm is not available (%): order search scans without an index', SQLERRM;
END $$;

-- Cash on delivery is a few percent of orders: walking the whole list for them is the slow
-- part of ?cod=1, a partial index holds just them.
CREATE INDEX orders_cod ON orders (bought_at DESC, id DESC) WHERE cash_on_delivery = 1;
