import Stages
import Testing

/// Reading the stored fixes of an event's devices a page of many devices at a time: every device once,
/// whole and in `ts` order, whatever the groups and pages cut.
@Suite(.timeLimit(.minutes(1)))
struct StoredFixesReaderTests {
    /// Device `d<n>` has `n` fixes (so `d0` has none), at 1 s apart.
    static let stored: [String: [TrackFix]] = Dictionary(
        uniqueKeysWithValues: (0..<7).map { n in ("d\(n)", (0..<n).map { Field.fix(Double($0), 0, 0) }) }
    )
    static let devices = (0..<7).map { "d\($0)" } + ["absent"]

    /// Reads every device with `groupSize` and pages of `limit`; returns what was given and the pages read.
    func readAll(groupSize: Int, limit: Int) async throws -> (runs: [StoredFixesPage.Run], pages: Int) {
        let pages = Watched(0)
        var reader = StoredFixesReader(devices: Self.devices, groupSize: groupSize) { devices, cursor in
            pages.update { $0 += 1 }
            return StoredFixesPage.of(
                { Self.stored[$0] ?? [] },
                devices: devices,
                from: nil,
                to: nil,
                after: cursor,
                limit: limit
            )
        }
        var runs: [StoredFixesPage.Run] = []
        while let run = try await reader.next() { runs.append(run) }
        return (runs, pages.read { $0 })
    }

    @Test(arguments: [(1, 1), (2, 3), (3, 5), (8, 2), (8, 100), (1_000, 10_000)])
    func everyDeviceIsGivenOnce_whole_whateverTheGroupsAndPages(groupSize: Int, limit: Int) async throws {
        let (runs, pages) = try await self.readAll(groupSize: groupSize, limit: limit)
        #expect(runs.map(\.device).sorted() == Self.devices.sorted(), "each device once")
        for run in runs {
            #expect(run.fixes == (Self.stored[run.device] ?? []), "\(run.device) whole, in ts order")
        }
        let groups = (Self.devices.count + groupSize - 1) / groupSize
        #expect(pages >= groups)
        if limit >= 21 { #expect(pages == groups, "one page per group when every fix fits") }
    }

    @Test func aRebuildOfThousandsOfDevices_readsAFewPages() async throws {
        let devices = (0..<2_500).map { "device-\($0)" }
        let pages = Watched(0)
        var reader = StoredFixesReader(devices: devices) { names, cursor in
            pages.update { $0 += 1 }
            return StoredFixesPage.of(
                { _ in [Field.fix(0, 0, 0), Field.fix(1, 0, 0)] },
                devices: names,
                from: nil,
                to: nil,
                after: cursor,
                limit: StoredFixesReader.pageLimit
            )
        }
        var given = 0
        while let run = try await reader.next() {
            #expect(run.fixes.count == 2)
            given += 1
        }
        #expect(given == 2_500)
        #expect(pages.read { $0 } == 3, "groups of \(StoredFixesReader.groupSize) devices, each in one page")
    }

    @Test func aStoreThatGivesADeviceNotAskedFor_failsTheRead_insteadOfTimingWhatItGave() async throws {
        let fix = Field.fix(0, 0, 0)
        let pages = [
            StoredFixesPage(runs: [.init(device: "a", fixes: [fix]), .init(device: "b", fixes: [fix])], next: nil)
        ]
        var reader = StoredFixesReader(devices: ["a"]) { _, _ in pages[0] }
        await #expect(throws: StoredFixesReader.OutOfOrder.self) {
            while try await reader.next() != nil {}
        }
    }

    @Test func cancellingTheRebuild_cancelsTheReadUnderWay() async throws {
        let rebuild = Task {
            var reader = StoredFixesReader(devices: ["a"]) { _, _ in
                // A read that only ends when cancelled (a server that does not answer, retried).
                try await Task.sleep(for: .seconds(3_600))
                return StoredFixesPage(runs: [], next: nil)
            }
            return try await reader.next()
        }
        rebuild.cancel()
        await #expect(throws: CancellationError.self) { try await rebuild.value }
    }

    @Test func aPageIsFollowedOnlyWhenItIsFull() {
        let rows: [(device: String, fix: TrackFix)] = [("a", Field.fix(0, 0, 0)), ("a", Field.fix(1, 0, 0))]
        #expect(StoredFixesPage(rows: rows, limit: 3).next == nil)
        let full = StoredFixesPage(rows: rows, limit: 2)
        #expect(full.next == StoredFixesPage.Cursor(device: "a", timestamp: Field.fix(1, 0, 0).timestamp))
        #expect(full.runs == [StoredFixesPage.Run(device: "a", fixes: rows.map(\.fix))])
    }
}
