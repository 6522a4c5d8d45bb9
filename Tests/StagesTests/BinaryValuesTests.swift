import NIOCore
import Testing

@testable import Stages

/// PostgreSQL's binary value layout (``BinaryValues``): a big-endian length word, then the value; −1 for NULL.
@Suite(.timeLimit(.minutes(1)))
struct BinaryValuesTests {
    @Test func eachKindIsItsLengthThenItsBigEndianValue_andNullIsMinusOne() {
        var values = BinaryValues()
        values.append(text: "ab")
        values.append(int2: 258)
        values.append(int2: nil)
        values.append(bool: true)
        values.append(float8: 1.0)
        values.append(float4: 1.0)
        values.append(timestamptz: BinaryValues.postgresEpochMicros + 1)
        [UInt8]("{}".utf8).withUnsafeBufferPointer { values.append(jsonb: $0) }
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

    @Test func aRunWrittenInOneReservation_isTheSameAsValueByValue_andCountsItsValues() {
        var one = BinaryValues()
        one.append(text: "356307042441013")
        one.append(float4: nil)
        one.append(float8: -2.5)
        var run = BinaryValues()
        run.write(maximumBytes: 64) { writer in
            writer.append(text: "356307042441013")
            writer.append(float4: nil)
            writer.append(float8: -2.5)
        }
        #expect(run.bytes == one.bytes)
        #expect(run.count == 3)
        #expect(run.hasNull)
        #expect(run.buffer.readableBytes == 4 + 15 + 4 + 12, "only what was written, not the space reserved")
    }
}
