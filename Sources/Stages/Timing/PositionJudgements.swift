/// Where `flowrun timing recompute` reads and rewrites the stored judgements of positions (CONTRACT §6.2):
/// ``PostgresTimingStore``, or a fake in a unit test.
public protocol PositionJudgements: Sendable {
    /// `device`'s stored judgements from `from` to `to` (µs, each open when nil), in `ts` order.
    func storedJudgements(of device: String, from: Int64?, to: Int64?) async throws -> [PositionJudgement]

    /// Rewrites `faulty` and `fault` of `device`'s positions at the judgements' `ts` (a position not stored is
    /// left alone).
    func rewrite(_ judgements: [PositionJudgement], of device: String) async throws
}
