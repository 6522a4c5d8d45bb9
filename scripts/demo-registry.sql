-- The CMS's event registry (CONTRACT §3), for the local demo only: in production Directus owns these tables
-- and flowrun only reads them. Idempotent. psql -v devices=N: the simulator's first N devices
-- (IMEIs 35630704 || 2441013+i, as `flowrun simulate` makes them) all race in "Demo race"; the even ones
-- also in "Demo sprint" (a device may be in several events). Entries are named "Racer 1", "Racer 2", …; the
-- demo race's course and the first racer's spare tracker come last, in a block generated from
-- Sources/Stages/Simulation/DemoCourse.swift (the course `flowrun simulate --course demo` drives; a unit test
-- fails when the block and the Swift definition differ).
CREATE TABLE IF NOT EXISTS devices(id uuid PRIMARY KEY, imei text UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS events(id uuid PRIMARY KEY, name text, starts_at timestamptz, ends_at timestamptz);
CREATE TABLE IF NOT EXISTS entries(id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, name text);
CREATE TABLE IF NOT EXISTS entry_devices(entry_id uuid REFERENCES entries, device_id uuid REFERENCES devices);
CREATE TABLE IF NOT EXISTS checkpoints(
    id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, seq integer NOT NULL,
    name text NOT NULL, kind text NOT NULL,
    lat1 double precision NOT NULL, lon1 double precision NOT NULL,
    lat2 double precision NOT NULL, lon2 double precision NOT NULL,
    UNIQUE (event_id, seq));
-- A registry made before the course existed (flowrun's demo of an earlier version) gains its columns.
ALTER TABLE events ADD COLUMN IF NOT EXISTS starts_at timestamptz;
ALTER TABLE events ADD COLUMN IF NOT EXISTS ends_at timestamptz;
ALTER TABLE entries ADD COLUMN IF NOT EXISTS name text;

INSERT INTO events(id, name) VALUES
    ('00000000-0000-4000-8000-00000000d001', 'Demo race'),
    ('00000000-0000-4000-8000-00000000d002', 'Demo sprint')
ON CONFLICT (id) DO NOTHING;
INSERT INTO devices(id, imei)
SELECT gen_random_uuid(), '35630704' || (2441013 + i)::text FROM generate_series(0, :devices - 1) AS i
ON CONFLICT (imei) DO NOTHING;
INSERT INTO entries(id, event_id, name)
SELECT ('00000000-0000-4000-8001-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-4000-8000-00000000d001'::uuid,
       'Racer ' || (i + 1)
FROM generate_series(0, :devices - 1) AS i
UNION ALL
SELECT ('00000000-0000-4000-8002-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-4000-8000-00000000d002'::uuid,
       'Sprinter ' || (i + 1)
FROM generate_series(0, :devices - 1, 2) AS i
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
INSERT INTO entry_devices(entry_id, device_id)
SELECT e.id, d.id
FROM entries e
JOIN devices d ON d.imei = '35630704' || (2441013 + right(e.id::text, 12)::int)::text
WHERE e.id::text LIKE '00000000-0000-4000-800_-%'
  AND NOT EXISTS (SELECT 1 FROM entry_devices x WHERE x.entry_id = e.id);

-- BEGIN demo course: `flowrun simulate --print-course-sql` prints this block
-- (from Sources/Stages/Simulation/DemoCourse.swift; a unit test keeps the two equal).
INSERT INTO checkpoints(id, event_id, seq, name, kind, lat1, lon1, lat2, lon2) VALUES
    ('00000000-0000-4000-8003-000000000001', '00000000-0000-4000-8000-00000000d001', 1, 'Start', 'start', 54.68663006965067, 25.282292252615882, 54.687168150645796, 25.28236206729921),
    ('00000000-0000-4000-8003-000000000002', '00000000-0000-4000-8000-00000000d001', 2, 'Lap 1 split 1', 'split', 54.68855617162812, 25.291629831698607, 54.68877131371765, 25.290773723138543),
    ('00000000-0000-4000-8003-000000000003', '00000000-0000-4000-8000-00000000d001', 3, 'Lap 1 split 2', 'split', 54.69156415549453, 25.283158837040844, 54.691069319997226, 25.283531113361917),
    ('00000000-0000-4000-8003-000000000004', '00000000-0000-4000-8000-00000000d001', 4, 'Lap 1', 'split', 54.68663006965067, 25.282292252615882, 54.687168150645796, 25.28236206729921),
    ('00000000-0000-4000-8003-000000000005', '00000000-0000-4000-8000-00000000d001', 5, 'Lap 2 split 1', 'split', 54.68855617162812, 25.291629831698607, 54.68877131371765, 25.290773723138543),
    ('00000000-0000-4000-8003-000000000006', '00000000-0000-4000-8000-00000000d001', 6, 'Lap 2 split 2', 'split', 54.69156415549453, 25.283158837040844, 54.691069319997226, 25.283531113361917),
    ('00000000-0000-4000-8003-000000000007', '00000000-0000-4000-8000-00000000d001', 7, 'Lap 2', 'split', 54.68663006965067, 25.282292252615882, 54.687168150645796, 25.28236206729921),
    ('00000000-0000-4000-8003-000000000008', '00000000-0000-4000-8000-00000000d001', 8, 'Lap 3 split 1', 'split', 54.68855617162812, 25.291629831698607, 54.68877131371765, 25.290773723138543),
    ('00000000-0000-4000-8003-000000000009', '00000000-0000-4000-8000-00000000d001', 9, 'Lap 3 split 2', 'split', 54.69156415549453, 25.283158837040844, 54.691069319997226, 25.283531113361917),
    ('00000000-0000-4000-8003-000000000010', '00000000-0000-4000-8000-00000000d001', 10, 'Finish', 'finish', 54.68663006965067, 25.282292252615882, 54.687168150645796, 25.28236206729921)
ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, name = EXCLUDED.name, kind = EXCLUDED.kind,
    lat1 = EXCLUDED.lat1, lon1 = EXCLUDED.lon1, lat2 = EXCLUDED.lat2, lon2 = EXCLUDED.lon2;
-- The first racer carries a spare tracker, which the simulator drives along with it.
INSERT INTO devices(id, imei) VALUES (gen_random_uuid(), '356307049999999')
ON CONFLICT (imei) DO NOTHING;
INSERT INTO entry_devices(entry_id, device_id)
SELECT '00000000-0000-4000-8001-000000000000'::uuid, d.id FROM devices d
WHERE d.imei = '356307049999999'
  AND NOT EXISTS (SELECT 1 FROM entry_devices x WHERE x.device_id = d.id);
-- END demo course
