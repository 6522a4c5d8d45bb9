import Testing

@testable import Stages

/// The order a batch is written in (``WriteOrder``): `(device_id, ts)`, ids by their bytes.
@Suite struct WriteOrderTests {
    @Test func shuffledBatches_areOrderedAsComparingIdBytesThenTimesWould() {
        // Short ids, IMEIs, ids of exactly 8 and 16 bytes, and long ids that share their first 16 bytes.
        let ids = [
            "1", "12", "2", "356307042441013", "356307042441014", "35630704", "3563070424410130",
            "3563070424410130a", "3563070424410130b", "3563070424410130~~", "~", "A long id beyond sixteen bytes",
        ]
        var random = SeededGenerator(seed: 3)
        for round in 0..<50 {
            let entries = (0..<(20 + round * 10)).map { number in
                let id = ids[Int(random.next() % UInt64(ids.count))]
                let position = Position(
                    deviceID: id,
                    timestamp: Int64(random.next() % 5) - 2,
                    latitude: 0,
                    longitude: Double(number)
                )
                return PositionEntry(entryID: StreamID(milliseconds: UInt64(number), sequence: 0), position: position)
            }
            let expected = entries.indices.sorted { a, b in
                let (x, y) = (entries[a].position, entries[b].position)
                if x.deviceID != y.deviceID { return Array(x.deviceID.utf8).lexicographicallyPrecedes(y.deviceID.utf8) }
                return (x.timestamp, a) < (y.timestamp, b)
            }
            #expect(WriteOrder.indices(of: entries) == expected, "round \(round)")
        }
    }
}
