/// A property that did not hold: what was expected, what the decoder did, and the input, escaped so that it
/// can be pasted into a Swift string literal or a test.
struct FuzzFailure: Error, CustomStringConvertible {
    var property: String
    var message: String
    var deviceID: [UInt8]
    var payload: [UInt8]

    var description: String {
        """
        FAIL \(self.property): \(self.message)
          device_id: "\(Self.escaped(self.deviceID))"
          payload (\(self.payload.count) bytes): "\(Self.escaped(self.payload))"
        """
    }

    /// Printable ASCII as it is (`"` and `\` escaped), every other byte as `\xNN`.
    static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                text += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return text
    }
}
