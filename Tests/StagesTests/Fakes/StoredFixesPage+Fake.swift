import Stages

extension StoredFixesPage {
    /// The page a store holding `stored` (each device's fixes) gives: the devices in `String` order, then `ts`,
    /// as ``TimingStore/storedFixes(of:from:to:after:limit:)`` defines it.
    static func of(
        _ stored: (String) -> [TrackFix],
        devices: [String],
        from: Int64?,
        to: Int64?,
        after cursor: Cursor?,
        limit: Int
    ) -> StoredFixesPage {
        var rows: [(device: String, fix: TrackFix)] = []
        for device in Set(devices).sorted() {
            for fix in stored(device).sorted(by: { $0.timestamp < $1.timestamp }) {
                guard fix.timestamp >= (from ?? .min), fix.timestamp <= (to ?? .max) else { continue }
                if let cursor, device == cursor.device, fix.timestamp <= cursor.timestamp { continue }
                rows.append((device, fix))
                if rows.count == limit { return StoredFixesPage(rows: rows, limit: limit) }
            }
        }
        return StoredFixesPage(rows: rows, limit: limit)
    }
}
