import Stages
import Testing

/// ``CrossingRecord/init(row:event:from:)``: a `crossings` or `crossing_outbox` result row (libpq's text
/// format) read as a crossing, and a row it cannot read skipped.
@Suite("CrossingRecord: a result row", .timeLimit(.minutes(1)))
struct CrossingRecordRowTests {
    static let event = "7D0A2F4E-1B2C-4D3E-8F90-A1B2C3D4E5F6"
    static let row: [String?] = [
        "11111111-2222-4333-8444-555555555555", "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE", "2", "356307042441013",
        "1777739812123000",
    ]
    static let record = CrossingRecord(
        event: event,
        entry: "11111111-2222-4333-8444-555555555555",
        checkpoint: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        seq: 2,
        device: "356307042441013",
        timestamp: 1_777_739_812_123_000
    )

    @Test func aCrossingsRow_isTheRecordOfTheEvent_withLowercaseIDs() throws {
        let record = try #require(CrossingRecord(row: Self.row, event: Self.event))
        #expect(record == Self.record)
        #expect(record.event == Self.event.lowercased() && record.checkpoint == Self.record.checkpoint)
    }

    @Test func anOutboxRow_isReadFromItsCrossingColumns() {
        let outbox: [String?] = ["42", Self.event, "upsert"] + Self.row
        #expect(CrossingRecord(row: outbox, event: Self.event, from: 3) == Self.record)
    }

    @Test(arguments: 0..<5)
    func aNullColumn_skipsTheRow(column: Int) {
        var row = Self.row
        row[column] = nil
        #expect(CrossingRecord(row: row, event: Self.event) == nil)
    }

    @Test func aSeqOrTsThatIsNotANumber_orAShortRow_skipsTheRow() {
        var seq = Self.row
        seq[2] = "two"
        var timestamp = Self.row
        timestamp[4] = "2026-05-02T16:36:52.123Z"
        #expect(CrossingRecord(row: seq, event: Self.event) == nil)
        #expect(CrossingRecord(row: timestamp, event: Self.event) == nil)
        #expect(CrossingRecord(row: Array(Self.row.dropLast()), event: Self.event) == nil)
        #expect(CrossingRecord(row: Self.row, event: Self.event, from: 1) == nil)
    }
}
