-- 0001: the positions table (CONTRACT §2), or one that another program made, adopted.
--
-- (device_id, ts) is the identity of a position: the primary key makes a second write of the same
-- position a no-op (ON CONFLICT DO NOTHING), and its index also serves "latest position per device"
-- by a backward scan, so no second index on (device_id, ts DESC) is needed.
--
-- A database of the TypeScript processor flowrun replaces has positions already (README, "Switching over
-- from the TypeScript processor"). It is adopted, its rows kept, and each step is said in a NOTICE, which
-- flowrun logs: a missing column is added (one without a default that the rows cannot do without is an
-- error), a nullable one that must not be is made NOT NULL, a missing default is set, a primary key other
-- than (device_id, ts) is replaced by it, and an index on exactly (device_id, ts) other than the key's
-- (the original's positions_device_ts_idx) is dropped: every insert would keep two. A column of another type
-- stops the migration, naming it. Extra columns, other indexes and tables, and the other program's own
-- migration records are left as they are. The later files then apply as anywhere else: 0002 device_id's
-- collation, 0003 `fault`, 0006 the hypertable's chunk interval (or the conversion to one).
--
-- (positions becomes a TimescaleDB hypertable in 0006, when the server can run TimescaleDB. This file did
-- that itself until it was found to stop flowrun on a server where TimescaleDB is installed but not
-- preloaded, and it only created the table until adoption was added; both earlier texts are accepted as
-- applied: Migrator.formerChecksums.)
DO $$
DECLARE
    -- name, type (as format_type spells it), NOT NULL, default (as pg_get_expr spells it)
    wanted CONSTANT text[] := ARRAY[
        ['device_id',   'text',                     'true',  NULL],
        ['ts',          'timestamp with time zone', 'true',  NULL],
        ['latitude',    'double precision',         'true',  NULL],
        ['longitude',   'double precision',         'true',  NULL],
        ['altitude',    'real',                     'false', NULL],
        ['angle',       'real',                     'false', NULL],
        ['speed',       'real',                     'false', NULL],
        ['satellites',  'smallint',                 'false', NULL],
        ['priority',    'smallint',                 'false', NULL],
        ['attributes',  'jsonb',                    'true',  '''{}''::jsonb'],
        ['faulty',      'boolean',                  'true',  'false'],
        ['received_at', 'timestamp with time zone', 'true',  'now()']
    ];
    positions regclass;
    column_ text[];
    definition text;
    present record;
    key record;
    index_ record;
BEGIN
    SELECT c.oid INTO positions
    FROM pg_class c
    WHERE c.relname = 'positions' AND c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r';
    IF positions IS NULL THEN
        CREATE TABLE positions (
            device_id   text             NOT NULL,
            ts          timestamptz      NOT NULL,
            latitude    double precision NOT NULL,
            longitude   double precision NOT NULL,
            altitude    real,
            angle       real,
            speed       real,
            satellites  smallint,
            priority    smallint,
            attributes  jsonb            NOT NULL DEFAULT '{}',
            faulty      boolean          NOT NULL DEFAULT false,
            received_at timestamptz      NOT NULL DEFAULT now(),
            PRIMARY KEY (device_id, ts)
        );
        RETURN;
    END IF;

    RAISE NOTICE 'adopting positions: the table exists already (made by another program, such as the TypeScript '
        'processor); its rows are kept';
    FOREACH column_ SLICE 1 IN ARRAY wanted LOOP
        SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS default_
        INTO present
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = positions AND a.attname = column_[1] AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            IF column_[3]::boolean AND column_[4] IS NULL THEN
                RAISE EXCEPTION 'cannot adopt positions: it has no column %, which flowrun needs (% NOT NULL) and '
                    'cannot fill in for the rows it has', column_[1], column_[2];
            END IF;
            definition := column_[2]
                || CASE WHEN column_[3]::boolean THEN ' NOT NULL' ELSE '' END
                || CASE WHEN column_[4] IS NULL THEN '' ELSE ' DEFAULT ' || column_[4] END;
            EXECUTE format('ALTER TABLE positions ADD COLUMN %I %s', column_[1], definition);
            RAISE NOTICE 'adopting positions: added column % (%)', column_[1], definition;
            CONTINUE;
        END IF;
        IF present.type <> column_[2] THEN
            RAISE EXCEPTION 'cannot adopt positions: its column % is %, flowrun''s is % (CONTRACT §2); convert it '
                '(ALTER TABLE positions ALTER COLUMN % TYPE %), then start flowrun again',
                column_[1], present.type, column_[2], column_[1], column_[2];
        END IF;
        IF column_[3]::boolean AND NOT present.not_null THEN
            EXECUTE format('ALTER TABLE positions ALTER COLUMN %I SET NOT NULL', column_[1]);
            RAISE NOTICE 'adopting positions: column % made NOT NULL', column_[1];
        END IF;
        IF column_[4] IS NOT NULL AND present.default_ IS DISTINCT FROM column_[4] THEN
            EXECUTE format('ALTER TABLE positions ALTER COLUMN %I SET DEFAULT %s', column_[1], column_[4]);
            RAISE NOTICE 'adopting positions: column % given the default % (it had %)', column_[1], column_[4],
                coalesce(present.default_, 'none');
        END IF;
    END LOOP;

    SELECT c.conname,
           array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
    INTO key
    FROM pg_constraint c
    WHERE c.conrelid = positions AND c.contype = 'p';
    IF key.conname IS NOT NULL AND key.columns <> ARRAY['device_id', 'ts'] THEN
        EXECUTE format('ALTER TABLE positions DROP CONSTRAINT %I', key.conname);
        RAISE NOTICE 'adopting positions: dropped the primary key % (%): flowrun''s is (device_id, ts)',
            key.conname, array_to_string(key.columns, ', ');
    END IF;
    IF key.conname IS NULL OR key.columns <> ARRAY['device_id', 'ts'] THEN
        ALTER TABLE positions ADD PRIMARY KEY (device_id, ts);
        RAISE NOTICE 'adopting positions: added the primary key (device_id, ts)';
    END IF;

    FOR index_ IN
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition, c.conname
        FROM pg_index i
        LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
        WHERE i.indrelid = positions AND NOT i.indisprimary AND i.indnatts = 2 AND i.indpred IS NULL
            AND i.indexprs IS NULL
            AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = positions AND attname = 'device_id')
            AND i.indkey[1] = (SELECT attnum FROM pg_attribute WHERE attrelid = positions AND attname = 'ts')
    LOOP
        IF index_.conname IS NOT NULL THEN
            EXECUTE format('ALTER TABLE positions DROP CONSTRAINT %I', index_.conname);
        ELSE
            EXECUTE format('DROP INDEX %s', index_.name);
        END IF;
        RAISE NOTICE 'adopting positions: dropped index % (%): the primary key''s index serves the same lookups, '
            'and every insert would update both', index_.name, substring(index_.definition FROM '\((.*)\)$');
    END LOOP;
END
$$;
