extension DemoCourse {
    /// The lines that open and close the course's block in `scripts/demo-registry.sql`.
    public static let sqlBegin = "-- BEGIN demo course: `flowrun simulate --print-course-sql` prints this block"
    public static let sqlEnd = "-- END demo course"

    /// The SQL that registers the course (CONTRACT §6.1) for ``event`` and ``spareDevice`` in ``spareEntry``
    /// (CONTRACT §3): idempotent, a moved gate is updated. `scripts/demo-registry.sql` holds it verbatim
    /// between ``sqlBegin`` and ``sqlEnd``, after the events, entries and devices it refers to.
    public static var registrySQL: String {
        let rows = self.checkpoints.map { row in
            let c = row.checkpoint
            return "    ('\(c.id)', '\(self.event)', \(c.seq), '\(c.name)', '\(c.kind.rawValue)', "
                + "\(c.lat1), \(c.lon1), \(c.lat2), \(c.lon2))"
        }
        return """
            \(self.sqlBegin)
            -- (from Sources/Stages/Simulation/DemoCourse.swift; a unit test keeps the two equal).
            INSERT INTO checkpoints(id, event_id, seq, name, kind, lat1, lon1, lat2, lon2) VALUES
            \(rows.joined(separator: ",\n"))
            ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, name = EXCLUDED.name, kind = EXCLUDED.kind,
                lat1 = EXCLUDED.lat1, lon1 = EXCLUDED.lon1, lat2 = EXCLUDED.lat2, lon2 = EXCLUDED.lon2;
            -- The first racer carries a spare tracker, which the simulator drives along with it.
            INSERT INTO devices(id, imei) VALUES (gen_random_uuid(), '\(self.spareDevice)')
            ON CONFLICT (imei) DO NOTHING;
            INSERT INTO entry_devices(entry_id, device_id)
            SELECT '\(self.spareEntry)'::uuid, d.id FROM devices d
            WHERE d.imei = '\(self.spareDevice)'
              AND NOT EXISTS (SELECT 1 FROM entry_devices x WHERE x.device_id = d.id);
            \(self.sqlEnd)
            """
    }
}
