import FlowTesting
import Stages

/// Redis Streams in memory (``StreamModel``), as the stages see them through ``StreamCommands``: records every
/// command it is sent, in order, fails the next ones of a command when told to, and measures idle time on the
/// test's clock.
///
/// A read with `block` that finds nothing waits, without sleeping, until an entry is added to its stream or
/// the test wakes it (``wakeBlockedReads()``, ``answerBlockedReadsAtOnce()``): ``State/parkedReads`` says when a
/// source has read everything there is. A waiting read whose task is cancelled fails as a lost connection.
final class FakeStreams: StreamCommands {
    enum Command: Sendable, Hashable {
        case createGroup, moveGroupToEnd, readGroup, pending, pendingCounts, claim, acknowledge, append
    }

    enum Call: Sendable, Hashable {
        case createGroup(group: String, stream: String, start: GroupStart)
        case moveGroupToEnd(group: String, stream: String)
        case readGroup(GroupRead)
        case pending(PendingQuery)
        case pendingCounts(stream: String, group: String)
        case claim(ids: [StreamID], stream: String, group: String, consumer: String, minIdle: Duration)
        case acknowledge(ids: [StreamID], stream: String, group: String)
        case append(stream: String, fields: [StreamEntry.Field])
    }

    /// A command sent, and whether it failed (by ``failNext(_:times:with:)``, or with a server error).
    struct Record: Sendable, Hashable {
        var call: Call
        var failed: Bool
    }

    struct State: Sendable {
        var model = StreamModel()
        var records: [Record] = []
        /// The errors the next calls of a command fail with, in order.
        var failures: [Command: [RedisError]] = [:]
        fileprivate var parked: [UInt64: Parked] = [:]
        fileprivate var nextID: UInt64 = 0
        /// How many reads have waited for entries so far.
        var parks = 0
        var answerAtOnce = false
        /// Called with the ids of every `XACK`, before it runs.
        var beforeAcknowledging: (@Sendable ([StreamID]) -> Void)?

        /// Reads waiting for entries right now.
        var parkedReads: Int { self.parked.count }
    }

    fileprivate struct Parked: Sendable {
        var stream: String
        /// The read's record, marked failed if it fails once it answers.
        var record: Int
        var continuation: UnsafeContinuation<Wake, Never>
    }

    fileprivate enum Wake: Sendable {
        case answer(Result<StreamPage, RedisError>)
        /// Read again, and mark this record failed if that fails.
        case readAgain(record: Int)
        case cancelled
    }

    let state = Watched(State())
    /// Idle times are measured on it: the pipeline's clock, when the test shares it.
    let clock: ManualClock

    init(clock: ManualClock = ManualClock()) {
        self.clock = clock
    }

    private var now: Duration { self.clock.now.offset }

    // MARK: - Arranging and observing

    /// Changes the streams directly, as another client would (not recorded); adding entries wakes the reads
    /// waiting on their stream.
    @discardableResult
    func arrange<Result: Sendable>(_ body: (inout StreamModel) -> Result) -> Result {
        let (result, woken) = self.state.update { state in
            let before = state.model.streams.mapValues(\.lastID)
            let result = body(&state.model)
            let grown = state.model.streams.filter { before[$0.key] != $0.value.lastID }.keys
            return (result, state.takeParked { grown.contains($0.stream) })
        }
        for (continuation, wake) in woken { continuation.resume(returning: wake) }
        return result
    }

    /// `XADD`s an entry as the upstream service would (not recorded), returning its id.
    @discardableResult
    func add(_ fields: [StreamEntry.Field], to stream: String, id: StreamID? = nil) -> StreamID {
        self.arrange { $0.append(to: stream, fields: fields, id: id) }
    }

    /// The next `times` calls of `command` fail with `error` (default: a lost connection).
    func failNext(_ command: Command, times: Int = 1, with error: RedisError? = nil) {
        let error =
            error
            ?? RedisError(kind: .connectionLost, endpoint: "fake:6379", command: "\(command)", message: "injected")
        self.state.update { $0.failures[command, default: []] += Array(repeating: error, count: times) }
    }

    /// Calls `check` with the ids of every `XACK` before it runs (failing or not): where a test asserts what
    /// may be acknowledged at that moment.
    func beforeAcknowledging(_ check: @escaping @Sendable ([StreamID]) -> Void) {
        self.state.update { $0.beforeAcknowledging = check }
    }

    /// Lets every read now waiting answer with what there is (nothing, unless entries came meanwhile).
    func wakeBlockedReads() {
        for (continuation, wake) in self.state.update({ $0.takeParked { _ in true } }) {
            continuation.resume(returning: wake)
        }
    }

    /// From now on a read never waits; the ones waiting answer now. For a drain: the source's last read ends.
    func answerBlockedReadsAtOnce() {
        self.state.update { $0.answerAtOnce = true }
        self.wakeBlockedReads()
    }

    func wait(until condition: @escaping @Sendable (State) -> Bool) async throws {
        try await self.state.wait(until: condition)
    }

    var calls: [Call] { self.state.read { $0.calls } }

    // MARK: - StreamCommands

    func createGroup(_ group: String, on stream: String, at start: GroupStart) async throws(RedisError) -> Bool {
        try self.perform(.createGroup(group: group, stream: stream, start: start)) { model, _ in
            .success(model.createGroup(group, on: stream, at: start))
        }
    }

    func moveGroupToEnd(_ group: String, on stream: String) async throws(RedisError) {
        try self.perform(.moveGroupToEnd(group: group, stream: stream)) { model, _ in
            model.moveGroupToEnd(group, on: stream)
        }
    }

    func readGroup(_ read: GroupRead) async throws(RedisError) -> StreamPage {
        let id = self.state.update { $0.makeID() }
        let wake = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Wake, Never>) in
                let now = self.now
                let answer = self.state.update { state -> Wake? in
                    if let failure = state.begin(.readGroup(read)) { return .answer(.failure(failure)) }
                    let result = state.model.read(read, now: now)
                    guard case .success(let page) = result, page.entries.isEmpty, page.deleted.isEmpty,
                        read.block != nil, !state.answerAtOnce
                    else { return .answer(state.finish(result)) }
                    if Task.isCancelled { return .cancelled }
                    let record = state.records.count - 1
                    state.parked[id] = Parked(stream: read.stream, record: record, continuation: continuation)
                    state.parks += 1
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            self.state.update { $0.parked.removeValue(forKey: id) }?.continuation.resume(returning: .cancelled)
        }
        switch wake {
        case .answer(let result): return try result.get()
        case .readAgain(let record):
            let now = self.now
            return try self.state.update { state in
                state.finish(state.model.read(read, now: now), record: record)
            }.get()
        case .cancelled:
            throw RedisError(kind: .connectionLost, endpoint: "fake:6379", command: "XREADGROUP", message: "cancelled")
        }
    }

    func pending(_ query: PendingQuery) async throws(RedisError) -> [PendingEntry] {
        try self.perform(.pending(query)) { model, now in model.pending(query, now: now) }
    }

    func pendingCounts(of stream: String, group: String) async throws(RedisError) -> [String: Int] {
        try self.perform(.pendingCounts(stream: stream, group: group)) { model, _ in
            model.pendingCounts(of: stream, group: group)
        }
    }

    func claim(
        _ ids: [StreamID],
        on stream: String,
        group: String,
        for consumer: String,
        minIdle: Duration
    ) async throws(RedisError) -> StreamPage {
        let call = Call.claim(ids: ids, stream: stream, group: group, consumer: consumer, minIdle: minIdle)
        return try self.perform(call) { model, now in
            model.claim(ids, on: stream, group: group, for: consumer, minIdle: minIdle, now: now)
        }
    }

    @discardableResult
    func acknowledge(_ ids: [StreamID], on stream: String, group: String) async throws(RedisError) -> Int {
        self.state.read(\.beforeAcknowledging)?(ids)
        return try self.perform(.acknowledge(ids: ids, stream: stream, group: group)) { model, _ in
            .success(model.acknowledge(ids, on: stream, group: group))
        }
    }

    func append(to stream: String, fields: [StreamEntry.Field]) async throws(RedisError) {
        let woken = try self.state.update { state -> Result<[(UnsafeContinuation<Wake, Never>, Wake)], RedisError> in
            if let failure = state.begin(.append(stream: stream, fields: fields)) { return .failure(failure) }
            state.model.append(to: stream, fields: fields)
            return .success(state.takeParked { $0.stream == stream })
        }.get()
        for (continuation, wake) in woken { continuation.resume(returning: wake) }
    }

    /// Records `call`, then fails it as told or runs `command` on the model, under one lock.
    private func perform<Value: Sendable>(
        _ call: Call,
        _ command: (inout StreamModel, Duration) -> Result<Value, RedisError>
    ) throws(RedisError) -> Value {
        let now = self.now
        return try self.state.update { state -> Result<Value, RedisError> in
            if let failure = state.begin(call) { return .failure(failure) }
            return state.finish(command(&state.model, now))
        }.get()
    }
}

extension FakeStreams.State {
    /// Every command sent, failed or not, in order.
    var calls: [FakeStreams.Call] { self.records.map(\.call) }

    /// The commands of one kind that did not fail.
    func succeeded(_ command: FakeStreams.Command) -> [FakeStreams.Call] {
        self.records.filter { !$0.failed && $0.call.command == command }.map(\.call)
    }

    /// Every id an `XACK` that did not fail named, in order.
    var acknowledged: [StreamID] {
        self.succeeded(.acknowledge).flatMap { call -> [StreamID] in
            guard case .acknowledge(let ids, _, _) = call else { return [] }
            return ids
        }
    }

    fileprivate mutating func makeID() -> UInt64 {
        self.nextID &+= 1
        return self.nextID
    }

    /// Records `call`; returns the error it fails with when one was injected for it.
    fileprivate mutating func begin(_ call: FakeStreams.Call) -> RedisError? {
        let failure = self.failures[call.command]?.isEmpty == false ? self.failures[call.command]?.removeFirst() : nil
        self.records.append(FakeStreams.Record(call: call, failed: failure != nil))
        return failure
    }

    /// Marks the call recorded at `record` (default: the last one) as failed when Redis refused it.
    fileprivate mutating func finish<Value>(
        _ result: Result<Value, RedisError>,
        record: Int? = nil
    ) -> Result<Value, RedisError> {
        if case .failure = result { self.records[record ?? self.records.count - 1].failed = true }
        return result
    }

    /// Takes the waiting reads that `shouldWake`, with what to resume each with.
    fileprivate mutating func takeParked(
        where shouldWake: (FakeStreams.Parked) -> Bool
    ) -> [(UnsafeContinuation<FakeStreams.Wake, Never>, FakeStreams.Wake)] {
        let woken = self.parked.filter { shouldWake($0.value) }
        for id in woken.keys { self.parked[id] = nil }
        return woken.values.map { ($0.continuation, .readAgain(record: $0.record)) }
    }
}

extension FakeStreams.Call {
    var command: FakeStreams.Command {
        switch self {
        case .createGroup: .createGroup
        case .moveGroupToEnd: .moveGroupToEnd
        case .readGroup: .readGroup
        case .pending: .pending
        case .pendingCounts: .pendingCounts
        case .claim: .claim
        case .acknowledge: .acknowledge
        case .append: .append
        }
    }
}
