extension CMSStub {
    /// The CMS's event registry tables, CONTRACT §3 and §6.1 verbatim: what tests and benchmarks create in their own
    /// databases where the real CMS would own them (flowrun's migrations never create them).
    public static let registrySchema = """
        CREATE TABLE devices(id uuid PRIMARY KEY, imei text UNIQUE NOT NULL);
        CREATE TABLE events(id uuid PRIMARY KEY, name text, starts_at timestamptz, ends_at timestamptz);
        CREATE TABLE entries(id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, name text);
        CREATE TABLE entry_devices(entry_id uuid REFERENCES entries, device_id uuid REFERENCES devices);
        CREATE TABLE checkpoints(
            id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, seq integer NOT NULL,
            name text NOT NULL, kind text NOT NULL,
            lat1 double precision NOT NULL, lon1 double precision NOT NULL,
            lat2 double precision NOT NULL, lon2 double precision NOT NULL,
            UNIQUE (event_id, seq));
        """
}
