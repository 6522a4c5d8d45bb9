import Testing

@testable import Stages

/// Rows read in PostgreSQL's binary format (``PostgresBinaryRow``) on the real server: each type's value
/// exactly as the text format gives it, timestamps to the µs on both sides of both epochs, NULLs, and a row
/// the decoder refuses failing the statement with the row's number.
extension Integration {
    @Suite struct PostgresBinaryRowTests {
        struct Row: Sendable, Hashable {
            var small: Int16?
            var integer: Int32?
            var big: Int64?
            var double: Double?
            var micros: Int64?
            var text: String?
        }

        static let values = """
            SELECT s::smallint, i::integer, b::bigint, d::float8, t::timestamptz, x::text FROM (VALUES
                (-2::smallint, -70000::integer, -9000000000000::bigint, -0.1::float8,
                 '1969-12-31 23:59:59.999999+00'::timestamptz, 'ė'::text),
                (NULL, NULL, NULL, NULL, NULL, NULL),
                (4, 70000, 1777737600000001, 54.6872104, '2026-05-02 16:00:00.000001+00', 'a'),
                (5, 1, 2, 1e300, '1999-12-31 23:59:59.5+00', '')
            ) AS v(s, i, b, d, t, x) ORDER BY s NULLS FIRST
            """

        @Test func everyTypeReadsAsItsTextSays_nullsAreNil() async throws {
            try await TestWorld.run { world in
                let rows = try await world.postgres.query(Self.values, []) { row in
                    Row(
                        small: row.int16(0),
                        integer: row.int32(1),
                        big: row.int64(2),
                        double: row.double(3),
                        micros: row.microseconds(4),
                        text: row.text(5)
                    )
                }
                #expect(
                    rows == [
                        Row(),
                        Row(
                            small: -2,
                            integer: -70_000,
                            big: -9_000_000_000_000,
                            double: -0.1,
                            micros: -1,
                            text: "ė"
                        ),
                        Row(
                            small: 4,
                            integer: 70_000,
                            big: 1_777_737_600_000_001,
                            double: 54.6872104,
                            micros: 1_777_737_600_000_001,
                            text: "a"
                        ),
                        Row(small: 5, integer: 1, big: 2, double: 1e300, micros: 946_684_799_500_000, text: ""),
                    ]
                )
            }
        }

        @Test func aRowTheDecoderRefuses_failsTheStatement_namingTheRow() async throws {
            try await TestWorld.run { world in
                await #expect {
                    _ = try await world.postgres.query(Self.values, []) { row in row.int64(0) }
                } throws: { error in
                    "\(error)".contains("row 1 of 4")
                }
            }
        }
    }
}
