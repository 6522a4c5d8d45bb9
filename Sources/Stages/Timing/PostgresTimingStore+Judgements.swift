/// The stored judgements of positions (CONTRACT §2 `faulty`, `fault`), as `flowrun timing recompute` reads
/// and rewrites them.
///
/// - Important: ``rewrite(_:of:)`` writes a batch of up to ``rewriteBatch`` positions in one `UPDATE`; each
///   `UPDATE` is atomic, a whole rewrite is not (running recompute again finishes it).
extension PostgresTimingStore: PositionJudgements {
    /// Positions rewritten per `UPDATE`.
    static let rewriteBatch = 5_000

    static let judgements = """
        SELECT \(PostgresTime.microseconds("ts")), faulty, fault
        \(deviceWindow)
        """

    static let rewrite = """
        UPDATE positions p SET faulty = j.faulty, fault = j.fault
        FROM unnest($2::bigint[], $3::boolean[], $4::text[]) AS j(ts, faulty, fault)
        WHERE p.device_id = $1 AND p.ts = \(PostgresTime.timestamp("j.ts"))
        """

    public func storedJudgements(of device: String, from: Int64?, to: Int64?) async throws -> [PositionJudgement] {
        let rows = try await self.connection.query(
            Self.judgements,
            [device, from.map { "\($0)" }, to.map { "\($0)" }]
        )
        return rows.rows.compactMap { row in
            guard let ts = row[0].flatMap({ Int64($0) }), let faulty = row[1] else { return nil }
            return PositionJudgement(timestamp: ts, faulty: faulty == "t", fault: row[2])
        }
    }

    public func rewrite(_ judgements: [PositionJudgement], of device: String) async throws {
        var start = 0
        while start < judgements.count {
            let batch = judgements[start..<min(start + Self.rewriteBatch, judgements.count)]
            start = batch.endIndex
            let timestamps = "{" + batch.map { "\($0.timestamp)" }.joined(separator: ",") + "}"
            let faulty = "{" + batch.map { $0.faulty ? "t" : "f" }.joined(separator: ",") + "}"
            let faults = "{" + batch.map { $0.fault.map(Self.arrayElement) ?? "NULL" }.joined(separator: ",") + "}"
            _ = try await self.connection.query(Self.rewrite, [device, timestamps, faulty, faults])
        }
    }

    /// `text` quoted as an element of a text array literal.
    private static func arrayElement(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\\" || character == "\"" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
