-- 0003: why a position is faulty (CONTRACT §2 `fault`, §6.2).
--
-- `faulty` says whether a fix is faulty; `fault` names the first rule of §6.2 that holds
-- ('few-satellites', 'null-island', 'future', 'jump'), NULL when it is not faulty. A faulty position is
-- stored, never dropped; it is not sent live and not used for timing.
ALTER TABLE positions ADD COLUMN IF NOT EXISTS fault text;
