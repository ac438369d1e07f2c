-- Import and status sync: per-account journal/sweep progress and the last failure, the refresh
-- lease (one token refresher per account across processes), merged checkout forms, which Allegro
-- fulfilment status each local status sends, and the records the import keeps for the seller
-- (journal misses, forms that failed to import) and for the browser OAuth flow.

ALTER TABLE accounts ADD COLUMN seller_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN journal_position_at INTEGER;
ALTER TABLE accounts ADD COLUMN last_journal_read_at INTEGER;
ALTER TABLE accounts ADD COLUMN sweep_cursor INTEGER;
ALTER TABLE accounts ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN last_error_at INTEGER;
ALTER TABLE accounts ADD COLUMN refresh_lease_owner TEXT;
ALTER TABLE accounts ADD COLUMN refresh_lease_expires_at INTEGER;

-- An order Allegro replaced by a merged checkout form (a joint payment) points at its successor
-- and drops out of lists; few orders are merged, so the index holds only those.
ALTER TABLE orders ADD COLUMN merged_into_order_id INTEGER REFERENCES orders(id);
CREATE INDEX orders_merged_into ON orders (merged_into_order_id)
  WHERE merged_into_order_id IS NOT NULL;

-- The fulfilment status a local status sends unless an account says otherwise (NULL: none).
ALTER TABLE order_statuses ADD COLUMN default_fulfillment_status TEXT;
UPDATE order_statuses SET default_fulfillment_status = 'PROCESSING' WHERE name = 'W realizacji';
UPDATE order_statuses SET default_fulfillment_status = 'READY_FOR_SHIPMENT'
  WHERE name = 'Gotowe do wysyłki';
UPDATE order_statuses SET default_fulfillment_status = 'SENT' WHERE name = 'Wysłane';
UPDATE order_statuses SET default_fulfillment_status = 'CANCELLED' WHERE name = 'Anulowane';

-- An account's own mapping of a local status; fulfillment_status NULL keeps the change local.
CREATE TABLE status_mappings (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  local_status_id INTEGER NOT NULL REFERENCES order_statuses(id) ON DELETE CASCADE,
  fulfillment_status TEXT,
  PRIMARY KEY (account_id, local_status_id)
);

CREATE TABLE integrity_incidents (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  checkout_form_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX integrity_incidents_at ON integrity_incidents (at DESC, id DESC);
CREATE INDEX integrity_incidents_account ON integrity_incidents (account_id, at DESC, id DESC);

-- Resolved rows stay as history; at most one open row per checkout form.
CREATE TABLE import_failures (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  checkout_form_id TEXT NOT NULL,
  raw_json TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  first_failed_at INTEGER NOT NULL,
  last_failed_at INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE UNIQUE INDEX import_failures_open ON import_failures (account_id, checkout_form_id)
  WHERE resolved_at IS NULL;
CREATE INDEX import_failures_open_age ON import_failures (first_failed_at, id)
  WHERE resolved_at IS NULL;

-- state_hash: a hash of the state parameter (never the value); the PKCE verifier is sealed.
CREATE TABLE oauth_states (
  state_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  code_verifier_enc TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
