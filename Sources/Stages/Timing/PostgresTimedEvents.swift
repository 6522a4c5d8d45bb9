/// Reads the events to time from the CMS's registry (CONTRACT §3, §6.1) in the same database: each event's
/// checkpoints, timing window and entries with their devices, in three statements.
///
/// An event without checkpoints is not timed and not reported; one whose checkpoints break §6.1's rules is
/// in ``TimedEvents/invalid`` with its reason. The registry belongs to the CMS: flowrun only reads it.
public struct PostgresTimedEvents: TimedEventsReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let checkpoints = """
        SELECT c.event_id, c.id, c.seq, c.name, c.kind, c.lat1, c.lon1, c.lat2, c.lon2,
            \(PostgresTime.microseconds("e.starts_at")), \(PostgresTime.microseconds("e.ends_at"))
        FROM checkpoints c JOIN events e ON e.id = c.event_id
        ORDER BY c.event_id, c.seq
        """

    static let entries = """
        SELECT e.event_id, e.id, e.name, d.imei
        FROM entries e
        LEFT JOIN entry_devices ed ON ed.entry_id = e.id
        LEFT JOIN devices d ON d.id = ed.device_id
        WHERE e.event_id IN (SELECT event_id FROM checkpoints)
        ORDER BY e.event_id, e.id
        """

    public func timedEvents() async throws -> TimedEvents {
        let checkpointRows = try await self.connection.query(Self.checkpoints).rows
        let entryRows = try await self.connection.query(Self.entries).rows
        var checkpoints: [String: [Checkpoint]] = [:]
        var windows: [String: TimingWindow] = [:]
        var malformed: [String: CourseError] = [:]
        for row in checkpointRows {
            guard let event = row[0]?.lowercased() else { continue }
            guard let id = row[1], let seq = row[2].flatMap({ Int($0) }), let name = row[3],
                let kindText = row[4], let lat1 = row[5].flatMap({ Double($0) }),
                let lon1 = row[6].flatMap({ Double($0) }), let lat2 = row[7].flatMap({ Double($0) }),
                let lon2 = row[8].flatMap({ Double($0) })
            else { continue }
            guard let kind = Checkpoint.Kind(rawValue: kindText) else {
                malformed[event] = CourseError(event: event, reason: .unknownKind(seq: seq, kindText))
                continue
            }
            checkpoints[event, default: []].append(
                Checkpoint(id: id, seq: seq, name: name, kind: kind, lat1: lat1, lon1: lon1, lat2: lat2, lon2: lon2)
            )
            windows[event] = TimingWindow(starts: row[9].flatMap { Int64($0) }, ends: row[10].flatMap { Int64($0) })
        }
        var entries: [String: [String: (name: String?, devices: [String])]] = [:]
        for row in entryRows {
            guard let event = row[0]?.lowercased(), let entry = row[1]?.lowercased() else { continue }
            var current = entries[event]?[entry] ?? (row[2], [])
            if let imei = row[3] { current.devices.append(imei) }
            entries[event, default: [:]][entry] = current
        }
        var timed = TimedEvents.none
        for (event, list) in checkpoints where malformed[event] == nil {
            do {
                let course = try Course(event: event, checkpoints: list, window: windows[event] ?? .open)
                let eventEntries = (entries[event] ?? [:]).map {
                    EventEntry(id: $0.key, name: $0.value.name, devices: $0.value.devices)
                }
                timed.events[event] = TimedEvents.Event(course: course, entries: eventEntries)
            } catch {
                timed.invalid[event] = error
            }
        }
        timed.invalid.merge(malformed) { first, _ in first }
        return timed
    }
}
