import Flow
import FlowTesting
import Synchronization
import Testing

/// Tracks how many items run at once, overall and per key.
final class InFlight: Sendable {
    private let state = Mutex<(now: Int, peak: Int, keys: [Int: Int], peakPerKey: Int)>((0, 0, [:], 0))

    func begin(key: Int = 0) {
        self.state.withLock { state in
            state.now += 1
            state.peak = max(state.peak, state.now)
            state.keys[key, default: 0] += 1
            state.peakPerKey = max(state.peakPerKey, state.keys[key]!)
        }
    }

    func end(key: Int = 0) {
        self.state.withLock { state in
            state.now -= 1
            state.keys[key, default: 0] -= 1
        }
    }

    var peak: Int { self.state.withLock { $0.peak } }
    var peakPerKey: Int { self.state.withLock { $0.peakPerKey } }
}

/// Lets items through only once `count` of them are waiting together: proves they run concurrently.
final class Rendezvous: Sendable {
    private let count: Int
    private let arrived = Counter()
    private let gate = Gate()

    init(count: Int) { self.count = count }

    func meet() async {
        if self.arrived.increment() >= self.count { self.gate.open() }
        await self.gate.wait()
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ConcurrencyTests {
    @Test func ordered_runsUpToTheLimitAtOnce_andKeepsInputOrder() async throws {
        let inFlight = InFlight()
        let rendezvous = Rendezvous(count: 4)
        let out = try await PipelineTest.collect(Array(0..<200)) {
            Map { (n: Int) async -> Int in
                inFlight.begin()
                defer { inFlight.end() }
                await rendezvous.meet()  // the first four must all be running for any to finish
                for _ in 0..<((n * 7) % 5) { await Task.yield() }
                return n * 2
            }
            .concurrency(.ordered(4))
        }
        #expect(out == (0..<200).map { $0 * 2 })
        #expect(inFlight.peak == 4)
    }

    @Test func unordered_deliversEveryItemOnce() async throws {
        let inFlight = InFlight()
        let rendezvous = Rendezvous(count: 3)
        let out = try await PipelineTest.collect(Array(0..<300)) {
            Map { (n: Int) async -> Int in
                inFlight.begin()
                defer { inFlight.end() }
                await rendezvous.meet()
                for _ in 0..<((n * 13) % 7) { await Task.yield() }
                return n
            }
            .concurrency(.unordered(3))
        }
        #expect(out.sorted() == Array(0..<300))
        #expect(inFlight.peak == 3)
    }

    @Test func perKey_keepsEachKeysOrder_andNeverRunsOneKeyTwiceAtOnce() async throws {
        struct Reading: Sendable {
            var device: Int
            var sequence: Int
        }
        let readings = (0..<600).map { Reading(device: $0 % 5, sequence: $0) }
        let inFlight = InFlight()
        let rendezvous = Rendezvous(count: 4)
        let out = try await PipelineTest.collect(readings) {
            Map { (reading: Reading) async -> Reading in
                inFlight.begin(key: reading.device)
                defer { inFlight.end(key: reading.device) }
                await rendezvous.meet()
                for _ in 0..<((reading.sequence * 11) % 6) { await Task.yield() }
                return reading
            }
            .concurrency(.perKey(4) { $0.device })
        }
        #expect(out.count == 600)
        for device in 0..<5 {
            let sequences = out.filter { $0.device == device }.map(\.sequence)
            #expect(sequences == readings.filter { $0.device == device }.map(\.sequence))
        }
        #expect(inFlight.peakPerKey == 1)
        #expect(inFlight.peak == 4)
    }

    @Test func perKey_allItemsOneKey_runOneAtATimeInOrder() async throws {
        let inFlight = InFlight()
        let out = try await PipelineTest.collect(Array(0..<300)) {
            Map { (n: Int) async -> Int in
                inFlight.begin()
                defer { inFlight.end() }
                await Task.yield()
                return n
            }
            .concurrency(.perKey(8) { _ in "same" })
        }
        #expect(out == Array(0..<300))
        #expect(inFlight.peak == 1)
    }

    @Test func concurrentStage_appliesItsErrorPolicyPerItem() async throws {
        let out = try await PipelineTest.collect(Array(0..<100)) {
            Map { (n: Int) async throws -> Int in
                if n % 10 == 3 { throw Boom(item: n) }
                return n
            }
            .concurrency(.ordered(4))
            .onError(.skip)
        }
        #expect(out == (0..<100).filter { $0 % 10 != 3 })
    }
}
