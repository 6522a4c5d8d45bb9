import Flow
import FlowTesting
import Logging
import Metrics
import MetricsTestKit
import Stages
import Testing

/// race-timing's stages alone, on fakes: time-crossings (rebuilding an event from what is stored, then
/// timing positions whatever their order), write-crossings, publish-crossings and acknowledge-malformed.
@Suite(.timeLimit(.minutes(1)))
struct TimingStagesTests {
    static let device = "350000000000001"
    static let entry = EventEntry(id: "00000000-0000-4000-8000-00000000a001", name: "One", devices: [device])

    /// The entry's crossing of the start, as the write and publish tests pass it on.
    static let startCrossing = CrossingRecord(
        event: Field.event,
        entry: entry.id,
        checkpoint: "00000000-0000-4000-8000-0000000c0001",
        seq: 1,
        device: device,
        timestamp: 0
    )

    static func events(_ course: Course) -> TimedEvents {
        TimedEvents(events: [course.event: .init(course: course, entries: [entry])], invalid: [:])
    }

    /// A position entry of the field's device at `seconds`, `east` metres (entry id from `id`).
    static func position(_ id: UInt64, _ seconds: Double, _ east: Double) -> PositionEntry {
        let fix = Field.fix(seconds, east, 0)
        return PositionEntry(
            entryID: StreamID(milliseconds: id, sequence: 0),
            position: Position(
                deviceID: device,
                timestamp: fix.timestamp,
                latitude: fix.fix.latitude,
                longitude: fix.fix.longitude
            )
        )
    }

    func registry(_ events: TimedEvents) async throws -> (TimedEventsRegistry, FakeTimedEventsReader) {
        let reader = FakeTimedEventsReader(events)
        let registry = TimedEventsRegistry(
            reader: reader,
            refresh: .seconds(30),
            logger: Logger(label: "test"),
            metricsFactory: NOOPMetricsHandler.instance
        )
        try await registry.load()
        return (registry, reader)
    }

    func timeCrossings(_ registry: TimedEventsRegistry, _ store: FakeTimingStore) -> TimeCrossings {
        TimeCrossings(registry: registry, store: store, settings: TrackSettings(), now: { Field.time(1_000) })
    }

    @Test func anEventIsRebuiltFromWhatIsStored_beforeItsFirstPosition_andStaleRowsAreReconciled() async throws {
        let course = try Field.straightCourse()
        let (registry, _) = try await self.registry(Self.events(course))
        // Stored: the drive up to just before the split, and a row of the finish that the positions do not give.
        let stale = CrossingRecord(
            event: course.event,
            entry: Self.entry.id,
            checkpoint: course.checkpoints[2].id,
            seq: 3,
            device: Self.device,
            timestamp: Field.time(99)
        )
        let store = FakeTimingStore(
            fixes: [Self.device: (0...10).map { Field.fix(Double($0), -15 + 10 * Double($0), 0) }],
            table: [stale]
        )
        let output = try await PipelineTest.collect([Self.position(1, 11, 95), Self.position(2, 12, 105)]) {
            self.timeCrossings(registry, store)
        }
        let changes = output.flatMap(\.changes)
        #expect(
            output.flatMap(\.entryIDs) == [
                StreamID(milliseconds: 1, sequence: 0), StreamID(milliseconds: 2, sequence: 0),
            ]
        )
        #expect(store.state.read(\.fixReads) == [Self.device], "rebuilt once")
        #expect(store.state.read(\.pages) == 1, "the device's fixes in one page")
        #expect(changes.contains(CrossingChange(.remove, stale)), "the stored row the positions do not give")
        #expect(changes.filter { $0.operation == .upsert }.map(\.crossing.seq) == [1, 2], "the start when rebuilt")
        #expect(changes.last?.crossing.timestamp == Field.time(11.5))
    }

    @Test func aChunksManyChanges_goOnAsSeveralBatches_theEntriesWithTheLast() async throws {
        let course = try Field.straightCourse()
        let (registry, _) = try await self.registry(Self.events(course))
        let store = FakeTimingStore(fixes: [
            Self.device: (0...10).map { Field.fix(Double($0), -15 + 10 * Double($0), 0) }
        ])
        let output = try await PipelineTest.collect([Self.position(1, 11, 95), Self.position(2, 12, 105)]) {
            TimeCrossings(
                registry: registry,
                store: store,
                settings: TrackSettings(),
                maxChangesPerBatch: 1,
                now: { Field.time(1_000) }
            )
        }
        // The rebuild's start, then the split: two changes, one per batch.
        #expect(output.map(\.changes.count) == [1, 1])
        #expect(output.map(\.entryIDs.count) == [0, 2], "acknowledged only with the last change")
        #expect(output.flatMap(\.changes).map(\.crossing.seq) == [1, 2])
    }

    @Test func split_keepsTheChangesInOrder_andSmallBatchesWhole() {
        let changes = (0..<5).map { seq in
            CrossingChange(
                .upsert,
                CrossingRecord(
                    event: Field.event,
                    entry: Self.entry.id,
                    checkpoint: Self.startCrossing.checkpoint,
                    seq: seq,
                    device: Self.device,
                    timestamp: Int64(seq)
                )
            )
        }
        let batch = TimingBatch(entryIDs: [StreamID(milliseconds: 1, sequence: 0)], changes: changes)
        #expect(batch.split(maxChanges: 5) == [batch])
        let parts = batch.split(maxChanges: 2)
        #expect(parts.map(\.changes.count) == [2, 2, 1])
        #expect(parts.flatMap(\.changes) == changes)
        #expect(parts.map(\.entryIDs) == [[], [], batch.entryIDs])
    }

    @Test func positionsOutOfOrder_giveTheSameTableAsInOrder() async throws {
        let course = try Field.straightCourse()
        let positions = (0...23).map { Self.position(UInt64($0) + 1, Double($0), -15 + 10 * Double($0)) }
        var tables: [[CrossingRecord.Key: CrossingRecord]] = []
        var random = SeededGenerator(seed: 7)
        for order in [positions, positions.reversed(), positions.shuffled(using: &random)] {
            let (registry, _) = try await self.registry(Self.events(course))
            let store = FakeTimingStore()
            let output = try await PipelineTest.collect(Array(order)) { self.timeCrossings(registry, store) }
            tables.append(output.flatMap(\.changes).replayed)
        }
        #expect(tables[0].count == 3)
        #expect(tables[1] == tables[0] && tables[2] == tables[0])
    }

    @Test func faultyPositionsAreCountedPerReason_asJudgedInTsOrder() async throws {
        let course = try Field.straightCourse()
        let (registry, _) = try await self.registry(Self.events(course))
        var nullIsland = Self.position(3, 2, 5)
        nullIsland.position.latitude = 0
        nullIsland.position.longitude = 0
        let input = [
            Self.position(1, 0, -15), Self.position(2, 1, 10_000), nullIsland, Self.position(4, 3, -5),
            Self.position(5, 1, 10_000),  // a repeat: taken once, counted once
        ]
        let metrics = TestMetrics()
        _ = try await PipelineTest.collect(input, configuration: PipelineTest.configuration(metrics: metrics)) {
            self.timeCrossings(registry, FakeTimingStore())
        }
        let counts = try Fault.allCases.map { fault in
            try metrics.expectCounter(
                "flowrun_positions_faulty_total",
                [("pipeline", "test"), ("reason", fault.rawValue)]
            ).totalValue
        }
        #expect(counts == [0, 1, 0, 1], "few-satellites, null-island, future, jump")
    }

    @Test func aCourseChangedAtARefresh_rebuildsTheEvent_withTheNewGates() async throws {
        let course = try Field.straightCourse()
        let (registry, reader) = try await self.registry(Self.events(course))
        let store = FakeTimingStore()
        let moved = try Course(
            event: course.event,
            checkpoints: [
                Field.line(1, .start, atEast: 5), Field.line(2, .split, atEast: 100),
                Field.line(3, .finish, atEast: 200),
            ]
        )
        let changes = try await PipelineTest.run {
            self.timeCrossings(registry, store)
        } test: { test in
            var changes: [CrossingChange] = []
            for position in [Self.position(1, 0, -15), Self.position(2, 1, -5), Self.position(3, 2, 5)] {
                try await test.send(position)
                changes += try #require(try await test.next()).changes
            }
            // What durable-write and write-crossings stored meanwhile.
            _ = try await store.apply(changes)
            store.state.update {
                $0.fixes[Self.device] = [Field.fix(0, -15, 0), Field.fix(1, -5, 0), Field.fix(2, 5, 0)]
            }
            reader.events.update { $0 = Self.events(moved) }
            try await registry.load()
            try await test.send(Self.position(4, 3, 15))
            changes += try #require(try await test.next()).changes
            return changes
        }
        #expect(store.state.read(\.fixReads).count == 2, "rebuilt at the first position, and after the change")
        let starts = changes.filter { $0.crossing.seq == 1 }.map(\.crossing.timestamp)
        #expect(starts.first == Field.time(1.5), "the start at 0 m")
        #expect(starts.last == Field.time(2), "the start moved to 5 m")
    }

    @Test func writeCrossings_appliesEachBatchsChanges_thenPassesItOn() async throws {
        let store = FakeTimingStore()
        let record = Self.startCrossing
        let batches = [
            TimingBatch(entryIDs: [StreamID(milliseconds: 1, sequence: 0)], changes: [CrossingChange(.upsert, record)]),
            TimingBatch(entryIDs: [StreamID(milliseconds: 2, sequence: 0)], changes: []),
        ]
        let output = try await PipelineTest.collect(batches) { WriteCrossings(store: store) }
        #expect(output.map(\.entryIDs) == batches.map(\.entryIDs))
        #expect(output.map(\.outboxIDs) == [[1], []], "each change written to the outbox too")
        #expect(store.state.read(\.applied) == [[CrossingChange(.upsert, record)], []])
    }

    @Test func publishCrossings_appendsEachChangeInOrder_toTheCrossingsStream() async throws {
        let fixture = StreamFixture()
        let record = Self.startCrossing
        let changes = [CrossingChange(.upsert, record), CrossingChange(.remove, record)]
        let store = FakeTimingStore()
        let batch = TimingBatch(
            entryIDs: [StreamID(milliseconds: 1, sequence: 0)],
            changes: changes,
            outboxIDs: try await store.apply(changes)
        )
        let output = try await PipelineTest.collect([batch]) {
            PublishCrossings(redis: fixture.redis, stream: "timing:crossings", store: store)
        }
        #expect(output == [batch])
        let appended = fixture.redis.state.read { $0.model.streams["timing:crossings"]?.entries ?? [] }
        #expect(appended.map { try? CrossingChange.decode($0).get() } == changes)
        #expect(store.state.read(\.outbox).isEmpty, "published: out of the outbox")
    }

    @Test func changesACrashKeptFromTheStream_arePublishedFirst_atTheNextStart() async throws {
        let fixture = StreamFixture()
        let record = Self.startCrossing
        let store = FakeTimingStore()
        // The table took them; the process died before the stream did.
        _ = try await store.apply([CrossingChange(.upsert, record), CrossingChange(.remove, record)])
        let count = try await PublishCrossings.publishLeftovers(store: store, redis: fixture.redis, stream: "x")
        #expect(count == 2)
        let appended = fixture.redis.state.read { $0.model.streams["x"]?.entries ?? [] }
        #expect(appended.compactMap { try? CrossingChange.decode($0).get().operation } == [.upsert, .remove])
        #expect(store.state.read(\.outbox).isEmpty)
        #expect(try await PublishCrossings.publishLeftovers(store: store, redis: fixture.redis, stream: "x") == 0)
    }
}
