import Flow
import Testing

/// ``runUntilFirstEnds(_:)``: the first task to end ends the others, which it waits for; the error that
/// ends the group is the first real one, never the `CancellationError` it asked for. No sleeps: the other
/// tasks wait on a gate nobody opens, so they end only when cancelled.
@Suite(.timeLimit(.minutes(1)))
struct RunUntilFirstEndsTests {
    /// Opened by nobody: waiting on it ends only by cancellation.
    let never = Gate()
    let ended = Recorder<String>()

    /// A task that runs until cancelled, then records `name` and does `then`.
    func untilCancelled(
        _ name: String,
        then: @escaping @Sendable () throws -> Void = {}
    ) -> @Sendable () async throws -> Void {
        { [never, ended] in
            await never.wait()
            #expect(Task.isCancelled, "\(name) ended only once cancelled")
            ended.record(name)
            try then()
        }
    }

    @Test func theFirstToReturn_cancelsTheOthers_andReturnsOnceAllHaveEnded() async throws {
        let ended = self.ended
        try await runUntilFirstEnds(
            { ended.record("first") },
            self.untilCancelled("second"),
            self.untilCancelled("third")
        )
        #expect(ended.all.first == "first")
        #expect(Set(ended.all) == ["first", "second", "third"])
    }

    @Test func theFirstToThrow_rethrowsItsError_afterTheOthersHaveEnded() async throws {
        await #expect(throws: Boom(item: 1)) {
            try await runUntilFirstEnds(
                { throw Boom(item: 1) },
                self.untilCancelled("other") { throw Boom(item: 2) }
            )
        }
        #expect(self.ended.all == ["other"])
    }

    @Test func theFirstReturns_anotherThrowsAsItEnds_rethrowsThatError() async throws {
        await #expect(throws: Boom(item: 2)) {
            try await runUntilFirstEnds(
                {},
                self.untilCancelled("cancelled") { throw CancellationError() },
                self.untilCancelled("failing") { throw Boom(item: 2) }
            )
        }
        #expect(Set(self.ended.all) == ["cancelled", "failing"])
    }

    @Test func theOthersThrowingCancellationError_isNoFailure() async throws {
        try await runUntilFirstEnds(
            {},
            self.untilCancelled("first") { throw CancellationError() },
            self.untilCancelled("second") { throw CancellationError() }
        )
        #expect(Set(self.ended.all) == ["first", "second"])
    }

    @Test func cancellingTheCaller_cancelsEveryTask() async throws {
        let run = Task { [self] in
            try await runUntilFirstEnds(self.untilCancelled("first"), self.untilCancelled("second"))
        }
        run.cancel()
        try await run.value
        #expect(Set(self.ended.all) == ["first", "second"])
    }

    @Test func noTasks_returnsAtOnce() async throws {
        try await runUntilFirstEnds()
    }
}
