-- The orders list at a million orders: each filter and sort the panel and the API offer has an
-- index to walk, and the counts per status come from a small table instead of a full scan.
--
-- The carrier of an order's latest active shipment ('' when it has none: "to ship"), kept by
-- triggers on shipments whatever code path writes them.
ALTER TABLE orders ADD COLUMN shipment_carrier TEXT NOT NULL DEFAULT '';
UPDATE orders SET shipment_carrier = COALESCE((
  SELECT s.carrier FROM shipments s WHERE s.order_id = orders.id
     AND s.state NOT IN ('cancelled', 'failed') ORDER BY s.id DESC LIMIT 1), '')
 WHERE id IN (SELECT order_id FROM shipments);
CREATE INDEX orders_carrier ON orders (shipment_carrier, bought_at DESC, id DESC);
-- Only a change of state or carrier can change it (tracking updates rewrite every shipment
-- column), and the order row is written only when the value really changes.
CREATE TRIGGER shipments_carrier_insert AFTER INSERT ON shipments BEGIN
  UPDATE orders SET shipment_carrier = COALESCE((
    SELECT s.carrier FROM shipments s WHERE s.order_id = NEW.order_id
       AND s.state NOT IN ('cancelled', 'failed') ORDER BY s.id DESC LIMIT 1), '')
   WHERE id = NEW.order_id AND shipment_carrier IS NOT COALESCE((
    SELECT s.carrier FROM shipments s WHERE s.order_id = NEW.order_id
       AND s.state NOT IN ('cancelled', 'failed') ORDER BY s.id DESC LIMIT 1), '');
END;
CREATE TRIGGER shipments_carrier_update AFTER UPDATE OF state, carrier ON shipments
  WHEN OLD.state IS NOT NEW.state OR OLD.carrier IS NOT NEW.carrier BEGIN
  UPDATE orders SET shipment_carrier = COALESCE((
    SELECT s.carrier FROM shipments s WHERE s.order_id = NEW.order_id
       AND s.state NOT IN ('cancelled', 'failed') ORDER BY s.id DESC LIMIT 1), '')
   WHERE id = NEW.order_id AND shipment_carrier IS NOT COALESCE((
    SELECT s.carrier FROM shipments s WHERE s.order_id = NEW.order_id
       AND s.state NOT IN ('cancelled', 'failed') ORDER BY s.id DESC LIMIT 1), '');
END;

-- A pasted checkout form id finds its order without the account (the unique index starts with
-- the account).
CREATE INDEX orders_checkout_form ON orders (checkout_form_id);

-- Sorting by amount walks this index (keyset paging on total_minor, id).
CREATE INDEX orders_total ON orders (total_minor DESC, id DESC);

-- Orders per (account, local status), merged orders left out. Triggers only ever INSERT a +1 or
-- -1 row, so concurrent writers never wait on a shared counter; the list sums the rows and the
-- periodic job orders.compact_counts folds them back into one row per key.
CREATE TABLE order_counts (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  local_status_id INTEGER,
  n INTEGER NOT NULL
);
INSERT INTO order_counts (account_id, local_status_id, n)
  SELECT account_id, local_status_id, COUNT(*) FROM orders WHERE merged_into_order_id IS NULL
   GROUP BY account_id, local_status_id;
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
  WHEN NEW.merged_into_order_id IS NULL BEGIN
  INSERT INTO order_counts (account_id, local_status_id, n)
    VALUES (NEW.account_id, NEW.local_status_id, 1);
END;
CREATE TRIGGER orders_count_update AFTER UPDATE OF account_id, local_status_id, merged_into_order_id
  ON orders
  WHEN OLD.account_id IS NOT NEW.account_id OR OLD.local_status_id IS NOT NEW.local_status_id
    OR OLD.merged_into_order_id IS NOT NEW.merged_into_order_id BEGIN
  INSERT INTO order_counts (account_id, local_status_id, n)
    SELECT OLD.account_id, OLD.local_status_id, -1 WHERE OLD.merged_into_order_id IS NULL;
  INSERT INTO order_counts (account_id, local_status_id, n)
    SELECT NEW.account_id, NEW.local_status_id, 1 WHERE NEW.merged_into_order_id IS NULL;
END;
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
  WHEN OLD.merged_into_order_id IS NULL BEGIN
  INSERT INTO order_counts (account_id, local_status_id, n)
    VALUES (OLD.account_id, OLD.local_status_id, -1);
END;
