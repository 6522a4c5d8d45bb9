-- 0006: positions becomes a TimescaleDB hypertable on ts (CONTRACT §2), when this server can run it.
--
-- The chunk interval is `postgres.chunk_interval`, which flowrun passes as the setting
-- flowrun.chunk_interval (default 1 day); the primary key (device_id, ts) already holds the partitioning
-- column, as a hypertable's unique indexes must. An existing plain positions (a database migrated before
-- TimescaleDB was available) is converted with its rows (migrate_data, which locks and rewrites the
-- table: a large one takes a while); one that is already a hypertable (created by 0001's earlier text)
-- gets the chunk interval for its new chunks.
--
-- CREATE EXTENSION timescaledb on a server without timescaledb in shared_preload_libraries ends the
-- session (FATAL, which no exception handler catches), so the extension is only created where it is
-- preloaded. Elsewhere positions stays a plain table and a NOTICE says why; flowrun logs the same
-- (PositionsStorage). flowrun.timescaledb = 'off' keeps the plain table on purpose.
DO $$
DECLARE
    chunk interval := coalesce(nullif(current_setting('flowrun.chunk_interval', true), ''), '1 day')::interval;
    preloaded boolean := current_setting('shared_preload_libraries') ~ '(^|[\s,"/])timescaledb([\s,"]|$)';
BEGIN
    IF coalesce(current_setting('flowrun.timescaledb', true), '') = 'off' THEN
        RAISE NOTICE 'positions stays a plain table: TimescaleDB is turned off (flowrun.timescaledb = off)';
    ELSIF NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        RAISE NOTICE 'positions stays a plain table: TimescaleDB is not installed on this server';
    ELSIF NOT preloaded THEN
        RAISE NOTICE 'positions stays a plain table: TimescaleDB is installed but not preloaded. To enable it, '
            'add timescaledb to shared_preload_libraries in postgresql.conf, restart PostgreSQL, then run '
            'CREATE EXTENSION timescaledb; SELECT create_hypertable(''positions'', ''ts'', '
            'chunk_time_interval => INTERVAL ''%'', migrate_data => true);', chunk;
    ELSE
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        IF EXISTS (
            SELECT FROM timescaledb_information.hypertables
            WHERE hypertable_schema = current_schema() AND hypertable_name = 'positions'
        ) THEN
            PERFORM set_chunk_time_interval('positions', chunk);
        ELSE
            PERFORM create_hypertable('positions', 'ts', chunk_time_interval => chunk, migrate_data => true);
        END IF;
    END IF;
END
$$;
