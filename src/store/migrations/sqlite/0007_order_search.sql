-- Text search over a million orders: a trigram index (FTS5, external content) over
-- orders.search_text, kept by triggers. The orders list asks it for substrings of 3 or more
-- characters; LIKE wildcards typed by the user and shorter texts scan as before.
CREATE VIRTUAL TABLE orders_search USING fts5(
  search_text, content='orders', content_rowid='id', tokenize='trigram', detail='none');
INSERT INTO orders_search (orders_search) VALUES ('rebuild');
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
  INSERT INTO orders_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
  INSERT INTO orders_search (orders_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF search_text ON orders
  WHEN OLD.search_text IS NOT NEW.search_text BEGIN
  INSERT INTO orders_search (orders_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
  INSERT INTO orders_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;

-- Cash on delivery is a few percent of orders: walking the whole list for them is the slow
-- part of ?cod=1, a partial index holds just them.
CREATE INDEX orders_cod ON orders (bought_at DESC, id DESC) WHERE cash_on_delivery = 1;
