-- Store ids are never reused: PostgreSQL's BIGSERIAL already guarantees it
-- (a sequence never hands a value out twice). Kept so both backends share
-- their migration numbers; SQLite rebuilds `stores` with AUTOINCREMENT here.
SELECT 1;
