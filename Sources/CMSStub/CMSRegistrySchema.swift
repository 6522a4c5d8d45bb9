extension CMSStub {
    /// The CMS's event registry tables, CONTRACT §3 verbatim: what tests and benchmarks create in their own
    /// databases where the real CMS would own them (flowrun's migrations never create them).
    public static let registrySchema = """
        CREATE TABLE devices(id uuid PRIMARY KEY, imei text UNIQUE NOT NULL);
        CREATE TABLE events(id uuid PRIMARY KEY, name text);
        CREATE TABLE entries(id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events);
        CREATE TABLE entry_devices(entry_id uuid REFERENCES entries, device_id uuid REFERENCES devices);
        """
}
