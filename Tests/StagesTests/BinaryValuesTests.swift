import NIOCore
import Testing

@testable import Stages

/// PostgreSQL's binary value layout (``BinaryValues``, written through ``BinaryValueWriter``): a big-endian
/// length word, then the value; −1 for NULL.
@Suite(.timeLimit(.minutes(1)))
struct BinaryValuesTests {
    @Test func eachKindIsItsLengthThenItsBigEndianValue_andNullIsMinusOne() {
        var values = BinaryValues()
        values.write(maximumBytes: 100) { writer in
            writer.append(text: "ab")
            writer.append(int2: 258)
            writer.append(int2: nil)
            writer.append(bool: true)
            writer.append(float8: 1.0)
            writer.append(float4: 1.0)
            writer.append(timestamptz: BinaryValues.postgresEpochMicros + 1)
            [UInt8]("{}".utf8).withUnsafeBufferPointer { writer.append(jsonb: $0) }
        }
        #expect(
            values.bytes == [
                0, 0, 0, 2, 0x61, 0x62,  // text "ab"
                0, 0, 0, 2, 0x01, 0x02,  // int2 258
                0xFF, 0xFF, 0xFF, 0xFF,  // NULL
                0, 0, 0, 1, 1,  // bool true
                0, 0, 0, 8, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,  // float8 1.0
                0, 0, 0, 4, 0x3F, 0x80, 0, 0,  // float4 1.0
                0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1,  // 1 µs after PostgreSQL's epoch
                0, 0, 0, 3, 1, 0x7B, 0x7D,  // jsonb: version 1, then the text
            ]
        )
        #expect(values.count == 8)
        #expect(values.hasNull)
    }

    @Test func runsWrittenOneAfterAnother_keepOnlyWhatWasWritten_andCountEveryValue() {
        var values = BinaryValues()
        values.write(maximumBytes: 64) { writer in
            writer.append(text: "356307042441013")
            writer.append(float8: -2.5)
        }
        #expect(!values.hasNull)
        values.write(maximumBytes: 64) { writer in
            writer.put(Int16(7))  // a bare integer (a COPY row's field count): not a value
            writer.append(float4: nil)
        }
        #expect(values.count == 3)
        #expect(values.hasNull)
        #expect(
            values.buffer.readableBytes == (4 + 15) + (4 + 8) + 2 + 4,
            "only what was written, not the space reserved"
        )
        #expect(Array(values.bytes[0..<4]) == [0, 0, 0, 15])
        #expect(Array(values.bytes[31...]) == [0, 7, 0xFF, 0xFF, 0xFF, 0xFF], "the second run right after the first")
    }
}
