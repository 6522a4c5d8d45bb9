/// The four properties of ``PositionDecoder`` the fuzz test checks, each over at least `inputs` inputs
/// (an input is one entry decoded), each with its own random stream derived from the seed.
struct DecoderProperties {
    let inputs: Int
    let seed: UInt64

    /// Inputs decoded, accepted and rejected by one property.
    struct Tally: CustomStringConvertible {
        var accepted = 0
        var rejected = 0
        var total: Int { self.accepted + self.rejected }
        var description: String { "\(self.total) (\(self.accepted) accepted, \(self.rejected) rejected)" }

        mutating func count(_ accepted: Bool) {
            if accepted { self.accepted += 1 } else { self.rejected += 1 }
        }
    }

    private func random(_ property: UInt64) -> SplitMix {
        SplitMix(seed: self.seed &+ property &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The entry holding `payload` as its last field, so that a read past the payload's end leaves the
    /// array's allocation and AddressSanitizer reports it.
    static func decode(_ property: String, deviceID: [UInt8], payload: [UInt8]) -> Result<Position, DecodeError> {
        CrashReport.record(property, deviceID: deviceID, payload: payload)
        let entry = StreamEntry(
            id: "1-0",
            fields: [
                StreamEntry.Field(name: "device_id", value: deviceID),
                StreamEntry.Field(name: "payload", value: payload),
            ]
        )
        return PositionDecoder.decode(entry)
    }

    /// Whether `a` and `b` are the same position, doubles compared bit for bit (`-0.0` is not `0.0`).
    static func identical(_ a: Position, _ b: Position) -> Bool {
        func bits(_ value: Double?) -> UInt64? { value?.bitPattern }
        return a == b && bits(a.latitude) == bits(b.latitude) && bits(a.longitude) == bits(b.longitude)
            && bits(a.altitude) == bits(b.altitude) && bits(a.angle) == bits(b.angle) && bits(a.speed) == bits(b.speed)
    }

    /// 1. Generated valid payloads decode to exactly the generated values, and the reference agrees.
    func valid() throws(FuzzFailure) -> Tally {
        var generator = PayloadGenerator(random: self.random(1))
        var tally = Tally()
        while tally.total < self.inputs {
            let generated = generator.payload()
            let fail = { (message: String) in
                FuzzFailure(
                    property: "valid",
                    message: message,
                    deviceID: generated.deviceID,
                    payload: generated.payload
                )
            }
            switch Self.decode("valid", deviceID: generated.deviceID, payload: generated.payload) {
            case .failure(let error): throw fail("rejected: \(error)")
            case .success(let position):
                guard Self.identical(position, generated.expected) else {
                    throw fail("decoded \(position)\n  expected \(generated.expected)")
                }
            }
            let reference = ReferenceDecoder.decode(deviceID: generated.deviceID, payload: generated.payload)
            guard case .accepted(let position) = reference, Self.identical(position, generated.expected) else {
                throw fail("the reference does not agree with the generator: \(reference)")
            }
            tally.count(true)
        }
        return tally
    }

    /// 2. Every prefix of a valid payload that cuts the object short is rejected (and the prefixes that only
    /// drop trailing whitespace decode to the same position).
    func truncated() throws(FuzzFailure) -> Tally {
        var generator = PayloadGenerator(random: self.random(2))
        var tally = Tally()
        while tally.total < self.inputs {
            let generated = generator.payload()
            for length in 0...generated.payload.count {
                let prefix = Array(generated.payload[..<length])
                let result = Self.decode("truncated", deviceID: generated.deviceID, payload: prefix)
                let complete = length >= generated.objectLength
                let fine: Bool
                switch result {
                case .failure: fine = !complete
                case .success(let position): fine = complete && Self.identical(position, generated.expected)
                }
                guard fine else {
                    throw FuzzFailure(
                        property: "truncated",
                        message: "prefix of \(length) of \(generated.payload.count) bytes: \(result)",
                        deviceID: generated.deviceID,
                        payload: prefix
                    )
                }
                tally.count(complete)
            }
        }
        return tally
    }

    /// 3. Mutated payloads: the decoder accepts exactly what the reference (JSONSerialization and the
    /// contract's rules) accepts, and the same position.
    func mutated(rules: inout [String: Int]) throws(FuzzFailure) -> Tally {
        var random = self.random(3)
        var generator = PayloadGenerator(random: self.random(4))
        var tally = Tally()
        while tally.total < self.inputs {
            let generated = generator.payload()
            let payload = Mutations.mutate(generated.payload, &random)
            let decoded = Self.decode("mutated", deviceID: generated.deviceID, payload: payload)
            let reference = ReferenceDecoder.decode(deviceID: generated.deviceID, payload: payload, rules: &rules)
            let agree: Bool
            switch (decoded, reference) {
            case (.success(let position), .accepted(let expected)): agree = Self.identical(position, expected)
            case (.failure, .rejected): agree = true
            default: agree = false
            }
            guard agree else {
                throw FuzzFailure(
                    property: "mutated",
                    message: "the decoder and the reference disagree\n  decoder: \(decoded)\n  reference: \(reference)",
                    deviceID: generated.deviceID,
                    payload: payload
                )
            }
            if case .success = decoded { tally.count(true) } else { tally.count(false) }
        }
        return tally
    }

    /// 4. Random number texts in every number field and in an attribute: the value is `Double(text)`, and
    /// accepted exactly when that double is finite and in the field's range (and integral for `satellites`
    /// and `priority`).
    func numbers() throws(FuzzFailure) -> Tally {
        var random = self.random(5)
        var tally = Tally()
        let deviceID = Array("356307042441013".utf8)
        let fields: [(key: String, range: ClosedRange<Double>?, integral: Bool)] = [
            ("latitude", -90...90, false), ("longitude", -180...180, false), ("altitude", -100_000...100_000, false),
            ("angle", 0...360, false), ("speed", 0...2000, false), ("satellites", 0...255, true),
            ("priority", 0...2, true), ("attributes", nil, false),
        ]
        while tally.total < self.inputs {
            let text = NumberTexts.any(&random)
            let field = fields[random.below(fields.count)]
            var members = [
                "device_id": "\"356307042441013\"", "timestamp": "\"2026-05-02T16:36:52.123Z\"",
                "latitude": "54.687157", "longitude": "25.279652",
            ]
            members[field.key] = field.range == nil ? "{\"66\":\(text)}" : text
            let payload = Array(JSONText.object(members.map { ("\"\($0.key)\"", $0.value) }, &random).utf8)
            let value = Double(text)!
            let accept =
                value.isFinite && (field.range?.contains(value) ?? true)
                && (!field.integral || value.rounded(.towardZero) == value)
            let result = Self.decode("numbers", deviceID: deviceID, payload: payload)
            var fine: Bool
            switch result {
            case .failure: fine = !accept
            case .success(let position):
                fine = accept
                switch field.key {
                case "latitude": fine = fine && position.latitude.bitPattern == value.bitPattern
                case "longitude": fine = fine && position.longitude.bitPattern == value.bitPattern
                case "altitude": fine = fine && position.altitude?.bitPattern == value.bitPattern
                case "angle": fine = fine && position.angle?.bitPattern == value.bitPattern
                case "speed": fine = fine && position.speed?.bitPattern == value.bitPattern
                case "satellites": fine = fine && position.satellites == Int(value)
                case "priority": fine = fine && position.priority == Int(value)
                default: fine = fine && position.attributes[66] == .number(text)
                }
            }
            guard fine else {
                throw FuzzFailure(
                    property: "numbers",
                    message:
                        "\(field.key) \(text): Double(text) is \(value), expected \(accept ? "accepted" : "rejected"), got \(result)",
                    deviceID: deviceID,
                    payload: payload
                )
            }
            tally.count(accept)
        }
        return tally
    }
}
