import Stages

/// Fixtures of the decoder tests.
enum DecodeFixture {
    /// The contract's example payload (CONTRACT §1), as the contract prints it.
    static let contractPayload = """
        {
          "device_id": "356307042441013",
          "timestamp": "2026-05-02T16:36:52.123Z",
          "latitude": 54.687157,
          "longitude": 25.279652,
          "altitude": 112,
          "angle": 270,
          "speed": 43,
          "satellites": 11,
          "priority": 0,
          "attributes": {
            "239": 1,
            "66": 12870,
            "16": {"$bigint": "18446744073709551615"},
            "385": {"$bytes": "AQIDBA=="}
          }
        }
        """

    static let deviceID = "356307042441013"
    static let entryID: StreamID = "1714667812123-0"
    /// 2026-05-02T16:36:52.123Z.
    static let timestamp: Int64 = 1_777_739_812_123_000

    /// The position the contract's example decodes to.
    static let position = Position(
        deviceID: Self.deviceID,
        timestamp: Self.timestamp,
        latitude: 54.687157,
        longitude: 25.279652,
        altitude: 112,
        angle: 270,
        speed: 43,
        satellites: 11,
        priority: 0,
        attributes: [
            239: .number("1"),
            66: .number("12870"),
            16: .bigint("18446744073709551615"),
            385: .bytes("AQIDBA=="),
        ]
    )

    /// A stream entry with the given fields, in this order.
    static func entry(deviceID: [UInt8]?, payload: [UInt8]?, id: StreamID = Self.entryID) -> StreamEntry {
        var fields: [StreamEntry.Field] = []
        if let deviceID { fields.append(StreamEntry.Field(name: "device_id", value: deviceID)) }
        if let payload { fields.append(StreamEntry.Field(name: "payload", value: payload)) }
        return StreamEntry(id: id, fields: fields)
    }

    /// A stream entry whose `device_id` field is `deviceID` and whose payload is `payload`.
    static func entry(_ payload: String, deviceID: String = Self.deviceID) -> StreamEntry {
        entry(deviceID: Array(deviceID.utf8), payload: Array(payload.utf8))
    }

    /// A compact payload: the contract's example fields in its order, each value given as JSON text, so that a
    /// test can replace, remove or add one.
    struct Payload: Sendable {
        var members: [(key: String, json: String)] = [
            ("device_id", #""356307042441013""#),
            ("timestamp", #""2026-05-02T16:36:52.123Z""#),
            ("latitude", "54.687157"),
            ("longitude", "25.279652"),
            ("altitude", "112"),
            ("angle", "270"),
            ("speed", "43"),
            ("satellites", "11"),
            ("priority", "0"),
            (
                "attributes",
                #"{"239":1,"66":12870,"16":{"$bigint":"18446744073709551615"},"385":{"$bytes":"AQIDBA=="}}"#
            ),
        ]

        /// The example with `key` set to `json` (appended when the example has no such key).
        static func with(_ key: String, _ json: String) -> Payload {
            Payload().with(key, json)
        }

        /// The example without `key`.
        static func without(_ key: String) -> Payload {
            var payload = Payload()
            payload.members.removeAll { $0.key == key }
            return payload
        }

        func with(_ key: String, _ json: String) -> Payload {
            var payload = self
            if let index = payload.members.firstIndex(where: { $0.key == key }) {
                payload.members[index].json = json
            } else {
                payload.members.append((key, json))
            }
            return payload
        }

        /// The example with `json` appended as raw member text, e.g. a repeated key.
        func appending(raw member: String) -> String {
            let text = self.text
            return String(text.dropLast()) + "," + member + "}"
        }

        var text: String {
            "{" + self.members.map { "\"\($0.key)\":\($0.json)" }.joined(separator: ",") + "}"
        }

        /// The example whose `attributes` object is `json`.
        static func attributes(_ json: String) -> String {
            Payload.with("attributes", json).text
        }
    }

    /// The decoded position, or the decode error.
    static func decode(_ entry: StreamEntry) -> Result<Position, DecodeError> {
        PositionDecoder.decode(entry)
    }

    /// The reason `entry` is malformed, or `nil` when it decodes.
    static func reason(_ entry: StreamEntry) -> DecodeError.Reason? {
        switch PositionDecoder.decode(entry) {
        case .success: nil
        case .failure(let error): error.reason
        }
    }
}
