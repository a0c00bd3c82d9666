-- no-transaction
-- Store ids are never reused: `stores` is rebuilt with AUTOINCREMENT (SQLite
-- otherwise hands a deleted store's id to the next one, and anything still
-- keyed by it, a cached token for one, would name the new store). Rebuilt the
-- way SQLite documents for schema changes: foreign keys off (so dropping the
-- old table cascades nothing), one transaction, a foreign key check, on again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE stores_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    code             TEXT    NOT NULL UNIQUE,
    display_name     TEXT    NOT NULL,
    settings         TEXT    NOT NULL,
    settings_version BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
INSERT INTO stores_new (id, code, display_name, settings, settings_version, created_at, updated_at)
    SELECT id, code, display_name, settings, settings_version, created_at, updated_at FROM stores;
DROP TABLE stores;
ALTER TABLE stores_new RENAME TO stores;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
