-- The CMS's event registry (CONTRACT §3), for the local demo only: in production Directus owns these tables
-- and flowrun only reads them. Idempotent. psql -v devices=N: the simulator's first N devices
-- (IMEIs 35630704 || 2441013+i, as `flowrun simulate` makes them) all race in "Demo race"; the even ones
-- also in "Demo sprint" (a device may be in several events).
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
INSERT INTO entries(id, event_id)
SELECT ('00000000-0000-4000-8001-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-4000-8000-00000000d001'::uuid
FROM generate_series(0, :devices - 1) AS i
UNION ALL
SELECT ('00000000-0000-4000-8002-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-4000-8000-00000000d002'::uuid
FROM generate_series(0, :devices - 1, 2) AS i
ON CONFLICT (id) DO NOTHING;
INSERT INTO entry_devices(entry_id, device_id)
SELECT e.id, d.id
FROM entries e
JOIN devices d ON d.imei = '35630704' || (2441013 + right(e.id::text, 12)::int)::text
WHERE e.id::text LIKE '00000000-0000-4000-800_-%'
  AND NOT EXISTS (SELECT 1 FROM entry_devices x WHERE x.entry_id = e.id);
