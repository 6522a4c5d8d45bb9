import Flow
import Foundation
import Stages
import Testing

/// What `flowrun tap` shows of the domain's items: one JSON object per item, with the fields an operator
/// looks for.
@Suite(.timeLimit(.minutes(1))) struct TapRepresentationTests {
    func object(_ json: String) throws -> [String: Any] {
        #expect(!json.contains("\n"), "one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func position_showsThePayloadsKeys_timeToTheMicrosecond_andAttributesAsStored() throws {
        #expect(
            DecodeFixture.position.tapJSON
                == #"{"device_id":"356307042441013","timestamp":"2026-05-02T16:36:52.123000Z","latitude":54.687157,"#
                + #""longitude":25.279652,"altitude":112,"angle":270,"speed":43,"satellites":11,"priority":0,"#
                + #""attributes":{"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}}"#
        )
        let sparse = Position(deviceID: "a\"b", timestamp: 0, latitude: -1.5, longitude: 2)
        let object = try self.object(sparse.tapJSON)
        #expect(object["device_id"] as? String == "a\"b")
        #expect(object["timestamp"] as? String == "1970-01-01T00:00:00.000000Z")
        #expect(object["altitude"] is NSNull, "what the tracker did not report is null")
        #expect((object["attributes"] as? [String: Any])?.isEmpty == true)
    }

    @Test func positionEntry_putsTheEntryIDBeforeThePositionsKeys() throws {
        let entry = PositionEntry(entryID: DecodeFixture.entryID, position: DecodeFixture.position)
        #expect(entry.tapJSON.hasPrefix(#"{"entry_id":"1714667812123-0","device_id":"356307042441013","#))
        let object = try self.object(entry.tapJSON)
        #expect(object["latitude"] as? Double == 54.687157)
        #expect(object["timestamp"] as? String == "2026-05-02T16:36:52.123000Z")
    }

    @Test func streamEntry_showsItsIDDeliveriesAndFieldsAsText() throws {
        var entry = DecodeFixture.entry(DecodeFixture.Payload().text)
        entry.deliveries = 2
        let object = try self.object(entry.tapJSON)
        #expect(object["id"] as? String == DecodeFixture.entryID.description)
        #expect(object["deliveries"] as? Int == 2)
        let fields = try #require(object["fields"] as? [String: String])
        #expect(fields == ["device_id": DecodeFixture.deviceID, "payload": DecodeFixture.Payload().text])
        let binary = DecodeFixture.entry(deviceID: [0xFF, 0x0A], payload: nil)
        #expect(try self.object(binary.tapJSON)["fields"] as? [String: String] == ["device_id": "\u{FFFD}\n"])
    }

    @Test func livePosition_isWhatBrowsersGet() {
        #expect(
            LivePosition(DecodeFixture.position).tapJSON
                == #"{"device_id":"356307042441013","ts":"2026-05-02T16:36:52.123Z","latitude":54.687157,"#
                + #""longitude":25.279652,"altitude":112,"angle":270,"speed":43,"satellites":11}"#
        )
    }

    @Test func writtenBatch_showsTheCountsAndTheEntriesToAcknowledge() {
        let batch = WrittenBatch(
            entryIDs: ["1-0", "1-1", "2-0"],
            outcome: WriteOutcome(inserted: 2, duplicates: 1)
        )
        #expect(batch.tapJSON == #"{"inserted":2,"duplicates":1,"entry_ids":["1-0","1-1","2-0"]}"#)
    }
}
