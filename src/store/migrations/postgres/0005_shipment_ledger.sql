-- The shipment ledger: what was asked of the carrier (frozen when the packer confirmed), when
-- the carrier was first called (a crash after that point is asked about, never re-sent blindly),
-- the shipment's number within its order (one order, one shipment unless the user confirms
-- another: the unique index settles races between instances), and tracking bookkeeping.
ALTER TABLE shipments ADD COLUMN request_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE shipments ADD COLUMN carrier_called_at BIGINT;
ALTER TABLE shipments ADD COLUMN tracking_checked_at BIGINT;
ALTER TABLE shipments ADD COLUMN tracking_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN shipment_no INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shipments ADD COLUMN handed_over_at BIGINT;  -- the day was closed with it
UPDATE shipments SET shipment_no = (
  SELECT COUNT(*) FROM shipments s2 WHERE s2.order_id = shipments.order_id AND s2.id <= shipments.id);
CREATE UNIQUE INDEX shipments_order_no ON shipments (order_id, shipment_no);
CREATE INDEX shipments_tracking_due ON shipments (state, tracking_checked_at);
-- Each user's label printer (pdf_a6, pdf_a4, zpl_203, zpl_300): the default label download.
ALTER TABLE users ADD COLUMN label_format TEXT NOT NULL DEFAULT 'pdf_a6';
