import Stages
import Synchronization
import Testing

/// ``StreamAppender``'s pace: device time never runs ahead of the wall clock, whatever the rate; the rate
/// only caps it. An injected clock jumps forward where the appender would sleep, so nothing sleeps.
@Suite(.timeLimit(.minutes(1)))
struct StreamAppenderPacingTests {
    /// Every appended entry with the wall clock's time at its append.
    final class Appended: Sendable {
        let entries = Mutex<[(clock: Int64, entry: TrackSimulator.Entry)]>([])
    }

    static let start: Int64 = 1_777_737_600_000_000

    static func run<Simulator: SimulatedTicks>(
        _ simulator: Simulator,
        rate: Double,
        count: Int
    ) async throws -> (appended: [(clock: Int64, timestamp: Int64)], clock: FakeWallClock) {
        let clock = FakeWallClock(Self.start)
        let appended = Appended()
        let appender = StreamAppender(clock: clock) { batch in
            let now = clock.now()
            appended.entries.withLock { $0 += batch.map { (now, $0) } }
        }
        _ = try await appender.run(simulator: simulator, rate: rate, duration: nil, count: count, progress: nil)
        let times = appended.entries.withLock { $0 }.compactMap { append -> (clock: Int64, timestamp: Int64)? in
            guard case .success(let position) = PositionDecoder.decode(append.entry.streamEntry()) else { return nil }
            return (append.clock, position.timestamp)
        }
        return (times, clock)
    }

    @Test func aRateAboveDevicesPerInterval_neverSendsAFixBeforeItsTime_theClockSetsThePace() async throws {
        var options = CourseSimulator.Options()
        options.devices = 99
        options.start = Self.start
        options.offline = 0.2
        let (appended, clock) = try await Self.run(CourseSimulator(options: options), rate: 10_000, count: 30_000)
        #expect(appended.count > 29_000)
        #expect(appended.allSatisfy { $0.timestamp <= $0.clock }, "device time ran ahead of the wall clock")
        // 100 devices at 1 s: 30,000 entries take about 300 s of wall time, not the 3 s the rate allows.
        #expect(clock.now() - Self.start >= 295_000_000)
        #expect(appended.contains { $0.timestamp == $0.clock }, "on-time fixes go out at their time")
    }

    @Test func aRateBelowDevicesPerInterval_capsThePace_andDeviceTimeFallsBehind() async throws {
        var options = TrackSimulator.Options()
        options.devices = 100
        options.start = Self.start
        options.interval = .milliseconds(100)
        let (appended, clock) = try await Self.run(TrackSimulator(options: options), rate: 500, count: 5_000)
        #expect(appended.allSatisfy { $0.timestamp <= $0.clock })
        // 1,000 positions per second of device time, 500 per second allowed: 10 s of wall time for 5 s.
        #expect(clock.now() - Self.start >= 9_900_000)
        let last = try #require(appended.last)
        #expect(last.clock - last.timestamp >= 4_900_000)
    }

    @Test func aBackdatedStart_goesOutAtTheRate_untilDeviceTimeReachesTheWallClock() async throws {
        var options = TrackSimulator.Options()
        options.devices = 10
        options.start = Self.start - 60_000_000
        let (appended, clock) = try await Self.run(TrackSimulator(options: options), rate: 0, count: 1_000)
        #expect(appended.allSatisfy { $0.timestamp <= $0.clock })
        // 60 ticks of history at once, then one tick a second: ticks 61–100 wait for the clock.
        #expect(appended[599].clock == Self.start)
        #expect(clock.now() == Self.start + 39_000_000)
    }
}
