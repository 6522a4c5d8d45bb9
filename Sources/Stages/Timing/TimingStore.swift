/// What race-timing reads and writes besides the stream: the stored fixes it rebuilds an event from, and
/// the `crossings` table (``PostgresTimingStore``, or a fake in a unit test).
public protocol TimingStore: Sendable {
    /// A page of the stored positions of `devices` from `from` to `to` (µs, each open when nil), with their
    /// `received_at`: at most `limit` of them, by device in the store's own order, then by `ts`
    /// (``StoredFixesPage``). Those of `cursor`'s device only after its time (all when `cursor` is nil): the
    /// next page is asked for with the devices not read whole yet and the last page's ``StoredFixesPage/next``.
    func storedFixes(
        of devices: [String],
        from: Int64?,
        to: Int64?,
        after cursor: StoredFixesPage.Cursor?,
        limit: Int
    ) async throws -> StoredFixesPage

    /// `event`'s rows of the `crossings` table.
    func storedCrossings(of event: String) async throws -> [CrossingRecord]

    /// Applies `changes` to the `crossings` table in order, in one transaction that also records each in the
    /// outbox of changes to publish: when it returns, the table holds them all and the outbox every one (its
    /// ids returned in order); when it throws, none.
    func apply(_ changes: [CrossingChange]) async throws -> [Int64]

    /// The outbox's changes not published yet, in the order they were made.
    func unpublished() async throws -> [(id: Int64, change: CrossingChange)]

    /// Removes published changes from the outbox.
    func published(_ ids: [Int64]) async throws
}

extension TimingStore {
    /// `device`'s stored positions from `from` to `to` (µs, each open when nil), in `ts` order, with their
    /// `received_at`: every page of them.
    public func storedFixes(of device: String, from: Int64?, to: Int64?) async throws -> [TrackFix] {
        var fixes: [TrackFix] = []
        var cursor: StoredFixesPage.Cursor?
        repeat {
            let page = try await self.storedFixes(
                of: [device],
                from: from,
                to: to,
                after: cursor,
                limit: StoredFixesReader.pageLimit
            )
            for run in page.runs { fixes += run.fixes }
            cursor = page.next
        } while cursor != nil
        return fixes
    }
}
