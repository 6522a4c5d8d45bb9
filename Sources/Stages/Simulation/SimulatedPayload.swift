/// The payloads the simulators write (CONTRACT §1): a position as a tracker reports it, and each kind of
/// malformed entry in turn.
enum SimulatedPayload {
    /// A position's payload. `latitude` and `longitude` are written as given (already rounded); with
    /// `satellites` nil, a count of 6–14 is drawn.
    static func position(
        deviceID: String,
        timestamp: Int64,
        latitude: Double,
        longitude: Double,
        heading: Double,
        speed kmh: Double,
        satellites: Int?,
        odometer: Int,
        random: inout SplitMix
    ) -> String {
        let satellites = satellites ?? 6 + random.below(9)
        var attributes = "\"239\":1,\"66\":\(12000 + random.below(1500)),\"16\":\(odometer)"
        if random.chance(0.05) { attributes += ",\"17\":{\"$bigint\":\"18446744073709551615\"}" }
        if random.chance(0.05) { attributes += ",\"385\":{\"$bytes\":\"AQIDBA==\"}" }
        return
            "{\"device_id\":\"\(deviceID)\",\"timestamp\":\"\(Timestamp.format(timestamp, precision: .milliseconds))\","
            + "\"latitude\":\(latitude),\"longitude\":\(longitude),"
            + "\"altitude\":\(100 + random.below(40)),\"angle\":\(Int(heading)),"
            + "\"speed\":\(Int(kmh)),\"satellites\":\(satellites),\"priority\":0,"
            + "\"attributes\":{\(attributes)}}"
    }

    /// The `index`th malformed payload (CONTRACT §1 "anything else"), each of several kinds in turn, and the
    /// kind's name.
    static func malformed(deviceID id: String, at timestamp: Int64, index: Int) -> (String, String) {
        let ts = Timestamp.format(timestamp, precision: .milliseconds)
        let kinds: [(String, String)] = [
            ("not-json", "{\"device_id\": \"\(id)\", \"timestamp\": "),
            (
                "latitude-out-of-range",
                "{\"device_id\":\"\(id)\",\"timestamp\":\"\(ts)\",\"latitude\":91.5,\"longitude\":25.1}"
            ),
            (
                "bad-timestamp",
                "{\"device_id\":\"\(id)\",\"timestamp\":\"2026-02-30T10:00:00Z\",\"latitude\":54.1,\"longitude\":25.1}"
            ),
            ("device-mismatch", "{\"device_id\":\"999\",\"timestamp\":\"\(ts)\",\"latitude\":54.1,\"longitude\":25.1}"),
            (
                "unknown-tag",
                "{\"device_id\":\"\(id)\",\"timestamp\":\"\(ts)\",\"latitude\":54.1,\"longitude\":25.1,\"attributes\":{\"7\":{\"$date\":\"x\"}}}"
            ),
            ("missing-longitude", "{\"device_id\":\"\(id)\",\"timestamp\":\"\(ts)\",\"latitude\":54.1}"),
        ]
        return kinds[index % kinds.count]
    }

    /// `value` rounded to `digits` decimals (a coordinate as a tracker writes it).
    static func rounded(_ value: Double, digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
