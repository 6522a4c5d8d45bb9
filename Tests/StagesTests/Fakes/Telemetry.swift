import Stages

/// Telemetry entries and positions for the stage tests (CONTRACT §1), and the names they are read under.
enum Telemetry {
    static let stream = "telemetry:t"
    static let group = "processor"
    static let consumer = "instance-a"
    static let deadLetterStream = "telemetry:t:dead"

    /// 2026-05-02T16:00:00Z, in µs since the epoch.
    static let baseTime: Int64 = 1_777_737_600_000_000

    /// The time `second` seconds (< 3600) after ``baseTime``, as a position stores it.
    static func time(_ second: Int) -> Int64 {
        Self.baseTime + Int64(second) * 1_000_000
    }

    /// A valid entry's fields: `device`'s position `second` seconds (< 3600) after ``baseTime``.
    static func fields(device: String, second: Int) -> [StreamEntry.Field] {
        precondition((0..<3600).contains(second))
        let clock = "16:" + Self.twoDigits(second / 60) + ":" + Self.twoDigits(second % 60)
        let payload = """
            {"device_id":"\(device)","timestamp":"2026-05-02T\(clock)Z","latitude":54.687157,"longitude":25.279652}
            """
        return [
            StreamEntry.Field(name: "device_id", value: Array(device.utf8)),
            StreamEntry.Field(name: "payload", value: Array(payload.utf8)),
        ]
    }

    /// A malformed entry's fields: its payload is not JSON.
    static let malformedFields = [
        StreamEntry.Field(name: "device_id", value: Array("356307042441013".utf8)),
        StreamEntry.Field(name: "payload", value: Array("not json".utf8)),
    ]

    /// A decoded position of `device` at `time`, from entry `id`.
    static func position(_ id: StreamID, device: String, time: Int64) -> PositionEntry {
        PositionEntry(
            entryID: id,
            position: Position(deviceID: device, timestamp: time, latitude: 54.687157, longitude: 25.279652)
        )
    }

    /// Positions `(device, second)` from entries `first-0`, `first+1-0`, …
    static func positions(first: UInt64 = 1, _ items: [(String, Int)]) -> [PositionEntry] {
        items.enumerated().map { index, item in
            Self.position(Self.id(first + UInt64(index)), device: item.0, time: Self.time(item.1))
        }
    }

    /// The id `<milliseconds>-0`.
    static func id(_ milliseconds: UInt64) -> StreamID {
        StreamID(milliseconds: milliseconds, sequence: 0)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension FakeStreams {
    /// Creates the telemetry group at the stream's beginning, then `consumer` reads `count` entries (they become
    /// its pending ones).
    func arrangeGroup(delivering count: Int = 0, to consumer: String = Telemetry.consumer) {
        self.arrange { model in
            _ = model.createGroup(Telemetry.group, on: Telemetry.stream, at: .beginning)
            model.deliver(count, of: Telemetry.stream, group: Telemetry.group, to: consumer)
        }
    }

    /// A dead consumer's backlog: adds `count` valid entries, which `consumer` reads and leaves pending, idle
    /// `idle` long; their ids.
    @discardableResult
    func arrangeDeadConsumer(entries count: Int, consumer: String = "instance-b", idle: Duration) -> [StreamID] {
        let ids = self.addPositions(count)
        self.arrangeGroup(delivering: count, to: consumer)
        self.arrangeIdle(ids, by: idle)
        return ids
    }

    /// This instance's consumer reads its pending entry after `id` again, `times` times (one delivery more each).
    func arrangeReadAgain(after id: StreamID, times: Int = 1) {
        let read = GroupRead(
            stream: Telemetry.stream,
            group: Telemetry.group,
            consumer: Telemetry.consumer,
            position: .pending(after: id),
            count: 1
        )
        self.arrange { model in
            for _ in 0..<times { _ = model.read(read, now: .zero) }
        }
    }

    /// Makes the group's pending entries (all, when `ids` is nil) look delivered `duration` earlier.
    func arrangeIdle(_ ids: [StreamID]? = nil, by duration: Duration) {
        self.arrange { $0.makeIdle(ids, of: Telemetry.stream, group: Telemetry.group, by: duration) }
    }

    /// This group's pending list, oldest first.
    var pendingList: [(id: StreamID, consumer: String, deliveries: Int)] {
        self.state.read { $0.model.pendingList(of: Telemetry.stream, group: Telemetry.group) }
    }

    /// Adds `count` valid entries of `device` (one a second from `second`) to the telemetry stream; their ids.
    @discardableResult
    func addPositions(_ count: Int, device: String = "dev-1", from second: Int = 0) -> [StreamID] {
        (0..<count).map { self.add(Telemetry.fields(device: device, second: second + $0), to: Telemetry.stream) }
    }
}
