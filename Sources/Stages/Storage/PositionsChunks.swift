/// How much of `positions` is in compressed chunks and how much in uncompressed ones: chunk counts and
/// bytes on disk (table, indexes and TOAST; a compressed chunk's compressed size). Read by the
/// `flowrun_positions_bytes` and `flowrun_positions_chunks` gauges and by `flowrun check --storage`.
///
/// A plain table counts as one uncompressed chunk of its whole size. A chunk that was compressed and then
/// got late positions (partly compressed) counts as compressed.
public struct PositionsChunks: Sendable, Equatable {
    public var compressedChunks = 0
    public var compressedBytes: Int64 = 0
    public var uncompressedChunks = 0
    public var uncompressedBytes: Int64 = 0

    public init() {}

    /// What `connection`'s `positions` has now.
    public static func read(_ connection: PostgresConnection) async throws(PostgresError) -> Self {
        var chunks = Self()
        guard case .hypertable = try await PositionsStorage.inspect(connection) else {
            let bytes = try await connection.query("SELECT pg_total_relation_size('positions')").rows.first?[0]
            chunks.uncompressedChunks = 1
            chunks.uncompressedBytes = bytes.flatMap { Int64($0) } ?? 0
            return chunks
        }
        let rows = try await connection.query(
            """
            SELECT c.is_compressed::text, count(*)::text, coalesce(sum(s.total_bytes), 0)::text
            FROM timescaledb_information.chunks c
            JOIN chunks_detailed_size('positions') s ON s.chunk_schema = c.chunk_schema AND s.chunk_name = c.chunk_name
            WHERE c.hypertable_schema = current_schema() AND c.hypertable_name = 'positions'
            GROUP BY c.is_compressed
            """
        ).rows
        for row in rows {
            let count = row[1].flatMap { Int($0) } ?? 0
            let bytes = row[2].flatMap { Int64($0) } ?? 0
            if row[0] == "true" {
                (chunks.compressedChunks, chunks.compressedBytes) = (count, bytes)
            } else {
                (chunks.uncompressedChunks, chunks.uncompressedBytes) = (count, bytes)
            }
        }
        return chunks
    }
}
