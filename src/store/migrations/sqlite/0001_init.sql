-- Nadajnik schema v1 (SQLite). Times are Unix milliseconds (UTC), money is integer minor units
-- with its ISO 4217 currency, flags are 0/1, nested order details are JSON text.

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  alias TEXT NOT NULL UNIQUE,
  login TEXT NOT NULL DEFAULT '',
  base_marketplace TEXT NOT NULL,
  environment TEXT NOT NULL,
  auth_base_url TEXT NOT NULL DEFAULT '',
  api_base_url TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  client_secret_enc TEXT,
  access_token_enc TEXT,
  refresh_token_enc TEXT,
  access_token_expires_at INTEGER,
  state TEXT NOT NULL,
  state_reason TEXT NOT NULL DEFAULT '',
  state_changed_at INTEGER,
  journal_cursor TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE order_statuses (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  position INTEGER NOT NULL,
  color TEXT NOT NULL DEFAULT '#6b7280'
);
INSERT INTO order_statuses (name, position, color) VALUES
  ('Nowe', 1, '#2563eb'),
  ('W realizacji', 2, '#d97706'),
  ('Gotowe do wysyłki', 3, '#7c3aed'),
  ('Wysłane', 4, '#16a34a'),
  ('Anulowane', 5, '#6b7280');

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  checkout_form_id TEXT NOT NULL,
  revision TEXT NOT NULL,
  marketplace TEXT NOT NULL,
  currency TEXT NOT NULL,
  checkout_status TEXT NOT NULL,
  fulfillment_status TEXT NOT NULL,
  fulfillment_provider TEXT NOT NULL,
  local_status_id INTEGER REFERENCES order_statuses(id),
  buyer_login TEXT NOT NULL DEFAULT '',
  buyer_email TEXT NOT NULL DEFAULT '',
  buyer_name TEXT NOT NULL DEFAULT '',
  buyer_company TEXT NOT NULL DEFAULT '',
  buyer_phone TEXT NOT NULL DEFAULT '',
  buyer_guest INTEGER NOT NULL DEFAULT 0,
  delivery_method_id TEXT NOT NULL DEFAULT '',
  delivery_method_name TEXT NOT NULL DEFAULT '',
  smart INTEGER NOT NULL DEFAULT 0,
  pickup_point_id TEXT NOT NULL DEFAULT '',
  delivery_cost_minor INTEGER,
  payment_type TEXT,
  cash_on_delivery INTEGER NOT NULL DEFAULT 0,
  paid_minor INTEGER,
  total_minor INTEGER NOT NULL,
  invoice_required INTEGER NOT NULL DEFAULT 0,
  buyer_note TEXT NOT NULL DEFAULT '',
  seller_note TEXT NOT NULL DEFAULT '',
  bought_at INTEGER,
  remote_updated_at INTEGER NOT NULL,
  imported_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  needs_attention INTEGER NOT NULL DEFAULT 0,
  attention_reason TEXT NOT NULL DEFAULT '',
  details_json TEXT NOT NULL,
  UNIQUE (account_id, checkout_form_id)
);
CREATE INDEX orders_bought ON orders (bought_at DESC, id DESC);
CREATE INDEX orders_account_bought ON orders (account_id, bought_at DESC);
CREATE INDEX orders_local_status ON orders (local_status_id, bought_at DESC);
CREATE INDEX orders_buyer_login ON orders (buyer_login);
CREATE INDEX orders_attention ON orders (needs_attention) WHERE needs_attention = 1;

CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  line_item_id TEXT NOT NULL,
  offer_id TEXT NOT NULL DEFAULT '',
  offer_name TEXT NOT NULL DEFAULT '',
  external_id TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL,
  unit_price_minor INTEGER NOT NULL,
  original_unit_price_minor INTEGER,
  currency TEXT NOT NULL,
  bought_at INTEGER,
  UNIQUE (order_id, line_item_id)
);
CREATE INDEX order_items_line_item ON order_items (line_item_id);
CREATE INDEX order_items_external ON order_items (external_id);

CREATE TABLE order_events (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  remote_at INTEGER,
  message TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL DEFAULT 'system'
);
CREATE INDEX order_events_order ON order_events (order_id, at);

CREATE TABLE shipments (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  carrier TEXT NOT NULL,
  service TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  tracking_state TEXT NOT NULL DEFAULT 'unknown',
  remote_id TEXT NOT NULL DEFAULT '',
  tracking_number TEXT NOT NULL DEFAULT '',
  parcels_json TEXT NOT NULL DEFAULT '[]',
  cod_minor INTEGER,
  insurance_minor INTEGER,
  currency TEXT,
  label_path TEXT NOT NULL DEFAULT '',
  label_format TEXT,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX shipments_tracking ON shipments (tracking_number);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'packer')),
  must_change_password INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'packer')),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  priority INTEGER NOT NULL DEFAULT 100,
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  lease_owner TEXT,
  lease_expires_at INTEGER,
  unique_key TEXT,
  account_id INTEGER,
  order_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE UNIQUE INDEX jobs_unique_active ON jobs (unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_ready ON jobs (priority, run_at) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_state_kind ON jobs (state, kind);

-- Effects of the diagnostic "system.probe" job: one row per completed run.
CREATE TABLE job_probe_runs (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL,
  worker TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX job_probe_runs_job ON job_probe_runs (job_id);
