import Testing

@testable import Flow

@Suite(.timeLimit(.minutes(1))) struct SetOnceTests {
    @Test func setBeforeWait_waitReturnsTheValueAtOnce() async throws {
        let once = SetOnce<Int>()
        #expect(once.set(7))
        #expect(try await once.wait() == 7)
        #expect(once.value == 7)
    }

    @Test func setTwice_theFirstWins() {
        let once = SetOnce<Int>()
        #expect(once.set(1))
        #expect(!once.set(2))
        #expect(once.value == 1)
    }

    @Test func waitersBeforeSet_allGetTheValue() async throws {
        let once = SetOnce<String>()
        async let first = once.wait()
        async let second = once.wait()
        once.set("ready")
        #expect(try await [first, second] == ["ready", "ready"])
    }

    @Test func cancelledWaiter_throwsCancellation_andTheValueStillReachesOthers() async throws {
        let once = SetOnce<Int>()
        let cancelled = Task { try await once.wait() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        once.set(3)
        #expect(try await once.wait() == 3)
    }

    @Test func stopSignal_waitReturnsOnStop_andOnCancellation() async {
        let signal = StopSignal()
        let cancelled = Task { await signal.wait() }
        cancelled.cancel()
        await cancelled.value  // returns: cancellation ends the wait
        #expect(!signal.isStopped)
        signal.stop()
        await signal.wait()
        #expect(signal.isStopped)
    }
}
