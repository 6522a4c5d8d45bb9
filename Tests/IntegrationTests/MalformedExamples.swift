import Stages

/// One stream entry of each malformed kind (CONTRACT §1), with the code its decode error has.
enum MalformedExamples {
    struct Example {
        var code: String
        var fields: [(name: String, value: [UInt8])]
    }

    /// How many codes there are: `DecodeError.Reason` has as many cases (see ``isListed(_:)``).
    static let codeCount = 19

    static let device = "356307042441013"

    /// An entry with `device_id` set to `device` and `payload` the given JSON text.
    static func entry(_ code: String, device: String = Self.device, _ json: String) -> Example {
        Example(code: code, fields: [("device_id", Array(device.utf8)), ("payload", Array(json.utf8))])
    }

    /// A valid payload of `device` with `extra` members (`"key":value,…`) put in front of the others.
    static func payload(_ extra: String = "", device: String = Self.device) -> String {
        let members = #""device_id":"\#(device)","timestamp":"2026-05-02T16:36:52Z","latitude":54.1,"longitude":25.1"#
        return "{" + (extra.isEmpty ? "" : extra + ",") + members + "}"
    }

    static let all: [Example] = [
        Example(code: "missing_entry_field", fields: [("device_id", Array(device.utf8))]),
        Example(
            code: "not_utf8",
            fields: [
                ("device_id", Array(device.utf8)), ("payload", Array(#"{"x":""#.utf8) + [0xFF] + Array("\"}".utf8)),
            ]
        ),
        entry("not_json", #"{"device_id":"#),
        entry("not_object", "[1]"),
        entry("missing_field", #"{"device_id":"\#(device)","timestamp":"2026-05-02T16:36:52Z","latitude":54.1}"#),
        entry(
            "wrong_type",
            #"{"device_id":"\#(device)","timestamp":"2026-05-02T16:36:52Z","latitude":"54","longitude":1}"#
        ),
        entry("out_of_range", payload(#""speed":2000.5"#)),
        entry("not_finite", payload(#""altitude":1e400"#)),
        entry("not_integer", payload(#""satellites":11.5"#)),
        entry("invalid_timestamp", payload().replacingOccurrences(of: "2026-05-02", with: "2026-02-30")),
        entry("invalid_device_id", device: "a\tb", payload(device: "a\tb")),
        entry("device_id_mismatch", payload(device: "999")),
        entry("invalid_attribute_key", payload(#""attributes":{"abc":1}"#)),
        entry("invalid_attribute_value", payload(#""attributes":{"1":"x"}"#)),
        entry("unknown_tag", payload(#""attributes":{"7":{"$date":"x"}}"#)),
        entry("invalid_tag_object", payload(#""attributes":{"1":{"$bigint":"1","$bytes":""}}"#)),
        entry("invalid_bigint", payload(#""attributes":{"16":{"$bigint":"01"}}"#)),
        entry("invalid_bytes", payload(#""attributes":{"385":{"$bytes":"AQI"}}"#)),
        entry("duplicate_key", payload(#""latitude":1"#)),
    ]

    /// Stops compiling when `DecodeError.Reason` gains a case: give it an example in ``all`` and count it in
    /// ``codeCount``.
    static func isListed(_ reason: DecodeError.Reason) -> Bool {
        switch reason {
        case .missingEntryField, .notUTF8, .notJSON, .notObject, .missingField, .wrongType, .outOfRange, .notFinite,
            .notInteger, .invalidTimestamp, .invalidDeviceID, .deviceIDMismatch, .invalidAttributeKey,
            .invalidAttributeValue, .unknownTag, .invalidTagObject, .invalidBigint, .invalidBytes, .duplicateKey:
            true
        }
    }
}
