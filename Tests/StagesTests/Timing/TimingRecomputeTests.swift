import Stages
import Testing

/// `flowrun timing recompute`'s work (``TimingRecompute``): results from the stored positions and the course
/// alone, the difference written to the table and the stream, judgements rewritten to the `ts` order's.
@Suite(.timeLimit(.minutes(1)))
struct TimingRecomputeTests {
    static let device = "350000000000001"
    static let entry = EventEntry(id: "00000000-0000-4000-8000-00000000a001", name: "One", devices: [device])
    static let stream = "timing:crossings"

    /// East at 10 m/s along the straight course: −15 m at 0 s, crossing 0 m at 1.5 s, 100 m at 11.5 s and
    /// 200 m at 21.5 s.
    static let drive = (0...23).map { Field.fix(Double($0), -15 + 10 * Double($0), 0) }

    /// The straight course with the split at `splitEast` metres.
    static func event(splitEast: Double = 100, window: TimingWindow = .open) throws -> TimedEvents.Event {
        let course = try Course(
            event: Field.event,
            checkpoints: [
                Field.line(1, .start, atEast: 0), Field.line(2, .split, atEast: splitEast),
                Field.line(3, .finish, atEast: 200),
            ],
            window: window
        )
        return TimedEvents.Event(course: course, entries: [Self.entry])
    }

    static func recompute(_ store: FakeRecomputeStore, _ streams: FakeStreams) -> TimingRecompute {
        TimingRecompute(
            store: store,
            judgements: store,
            streams: streams,
            crossingsStream: Self.stream,
            rules: FaultRules(),
            maxGap: .seconds(300)
        )
    }

    static func appended(_ streams: FakeStreams) -> [[StreamEntry.Field]] {
        streams.state.read { state in
            state.records.compactMap { record in
                guard case .append(let stream, let fields) = record.call, stream == Self.stream else { return nil }
                return fields
            }
        }
    }

    static func tableTimes(_ store: FakeRecomputeStore) -> [Int: Int64] {
        store.state.read { Dictionary(uniqueKeysWithValues: $0.crossings.values.map { ($0.seq, $0.timestamp) }) }
    }

    @Test func aMovedGate_replacesTheRowsComputedWithTheOldOne_tableThenStream() async throws {
        let (store, streams) = (FakeRecomputeStore(), FakeStreams())
        store.store(Self.drive, of: Self.device)
        let recompute = Self.recompute(store, streams)

        let first = try await recompute.recompute(try Self.event(splitEast: 50))
        #expect(Self.tableTimes(store) == [1: Field.time(1.5), 2: Field.time(6.5), 3: Field.time(21.5)])
        #expect(first.changes.map(\.change.operation) == [.upsert, .upsert, .upsert])
        #expect(first.changes.allSatisfy { $0.previous == nil })
        #expect(Self.appended(streams) == first.changes.map(\.change.streamFields))

        // The organiser moves the split to 100 m.
        let moved = try await recompute.recompute(try Self.event(splitEast: 100))
        #expect(Self.tableTimes(store) == [1: Field.time(1.5), 2: Field.time(11.5), 3: Field.time(21.5)])
        #expect(moved.written)
        let change = try #require(moved.changes.first)
        #expect(moved.changes.count == 1)
        #expect(change.change.operation == .upsert && change.change.crossing.seq == 2)
        #expect(change.previous?.timestamp == Field.time(6.5))
        #expect(Self.appended(streams).suffix(1) == [change.change.streamFields])
        #expect(store.state.read { $0.applied.last } == [change.change])

        // …then beyond where anyone drove: the split is missed, so the finish no longer counts either.
        let missed = try await recompute.recompute(try Self.event(splitEast: 300))
        #expect(missed.changes.map(\.change.operation) == [.remove, .remove])
        #expect(missed.changes.map(\.change.crossing.seq) == [2, 3])
        #expect(Self.tableTimes(store) == [1: Field.time(1.5)])
        #expect(Self.appended(streams).count == 6)
    }

    @Test func aJudgementThatDiffersInTsOrder_isRewritten_insideTheWindowOnly() async throws {
        let (store, streams) = (FakeRecomputeStore(), FakeStreams())
        var fixes = Self.drive
        fixes[10] = Field.fix(10, 85, 1_000)  // a kilometre off in a second: a jump
        store.store(fixes, of: Self.device) { fix in
            switch fix.timestamp {
            case Field.time(0): return .nullIsland  // wrong, but before the window: kept
            case Field.time(5): return .jump  // judged on arrival against a fix that came late
            default: return nil  // the jump at 10 s was not seen on arrival
            }
        }
        let event = try Self.event(window: TimingWindow(starts: Field.time(1), ends: nil))
        let report = try await Self.recompute(store, streams).recompute(event)

        #expect(report.positions == 23, "the positions from 1 s on")
        #expect(
            report.rejudged == [
                .init(from: "jump", to: nil): 1, .init(from: nil, to: "jump"): 1,
            ]
        )
        let judgements = store.judgements(of: Self.device)
        #expect(judgements[0] == PositionJudgement(timestamp: Field.time(0), .nullIsland))
        #expect(judgements[5] == PositionJudgement(timestamp: Field.time(5), nil))
        #expect(judgements[10] == PositionJudgement(timestamp: Field.time(10), .jump))
        #expect(judgements.filter(\.faulty).count == 2)
        #expect(store.state.read { $0.rewritten.map(\.judgements.count) } == [2], "one rewrite of the two")
        #expect(Self.tableTimes(store) == [1: Field.time(1.5), 2: Field.time(11.5), 3: Field.time(21.5)])
    }

    @Test func nothingChanged_writesNothing() async throws {
        let (store, streams) = (FakeRecomputeStore(), FakeStreams())
        store.store(Self.drive, of: Self.device)
        let recompute = Self.recompute(store, streams)
        _ = try await recompute.recompute(try Self.event())
        let (applied, appended) = (store.state.read(\.applied.count), Self.appended(streams).count)

        let again = try await recompute.recompute(try Self.event())
        #expect(again.changes.isEmpty && again.rejudged.isEmpty)
        #expect(again.positions == Self.drive.count)
        #expect(store.state.read(\.applied.count) == applied, "no transaction")
        #expect(Self.appended(streams).count == appended)
        #expect(store.state.read(\.rewritten).isEmpty)
    }

    @Test func aDryRun_reportsTheChanges_andWritesNothing() async throws {
        let (store, streams) = (FakeRecomputeStore(), FakeStreams())
        store.store(Self.drive, of: Self.device) { $0.timestamp == Field.time(3) ? .future : nil }
        let report = try await Self.recompute(store, streams).recompute(try Self.event(), dryRun: true)
        #expect(report.changes.count == 3 && report.rejudgedCount == 1)
        #expect(!report.written)
        #expect(store.state.read(\.applied).isEmpty && store.state.read(\.rewritten).isEmpty)
        #expect(Self.appended(streams).isEmpty)
        #expect(store.judgements(of: Self.device)[3].fault == "future")
    }
}
