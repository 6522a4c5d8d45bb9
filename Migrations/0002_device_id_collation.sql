-- 0002: device_id compares bytewise (COLLATE "C").
--
-- A device id is an identifier (an IMEI), not text in a language: the primary key's B-tree compares it on
-- every insert and every duplicate check, and under the database's default collation each comparison is a
-- locale-aware strcoll() call. Bytewise comparison orders IMEIs the same way and made a batch of
-- INSERT … ON CONFLICT DO NOTHING about a fifth cheaper for the server (scripts/benchmark.sh). The column
-- stays `text` (CONTRACT §2); comparisons with other text (the CMS's imei) take this collation.
ALTER TABLE positions ALTER COLUMN device_id TYPE text COLLATE "C";
