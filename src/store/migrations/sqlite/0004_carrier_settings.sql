-- Per-account carrier contracts: plain settings and the sender's address as JSON, the secrets as
-- one sealed JSON object (SecretBox, bound to the account and carrier).
CREATE TABLE carrier_settings (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  carrier TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  settings_json TEXT NOT NULL DEFAULT '{}',
  sender_json TEXT NOT NULL DEFAULT '{}',
  secrets_enc TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, carrier)
);
