import Flow
import FlowTesting
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct ErrorPolicyTests {
    let failOnThrees: @Sendable (Int) throws -> Int = { n in
        if n % 3 == 0 { throw Boom(item: n) }
        return n
    }

    @Test func stop_endsThePipelineWithAStageErrorNamingStageAndItem() async throws {
        let fail = self.failOnThrees
        do {
            _ = try await PipelineTest.collect([1, 2, 3, 4]) {
                Map { (n: Int) in try fail(n) }.named("divide")
            }
            Issue.record("the pipeline should have stopped")
        } catch let error as StageError {
            #expect(error.stage == "divide")
            #expect(error.item == "3")
            #expect(error.underlying as? Boom == Boom(item: 3))
            #expect(error.description.contains("stage 'divide'"))
        }
    }

    @Test func skip_dropsFailedItems_countsThem_andGoesOn() async throws {
        let metrics = TestMetrics()
        let fail = self.failOnThrees
        let out = try await PipelineTest.collect(
            Array(1...10),
            configuration: PipelineTest.configuration(metrics: metrics)
        ) {
            Map { (n: Int) in try fail(n) }.onError(.skip)
        }
        #expect(out == [1, 2, 4, 5, 7, 8, 10])
        let skipped = try metrics.expectCounter(
            "flow_stage_errors_total",
            [("pipeline", "test"), ("stage", "map"), ("outcome", "skipped")]
        )
        #expect(skipped.totalValue == 3)
    }

    @Test func deadLetter_handsTheItemErrorAndStageToTheBranch() async throws {
        let dead = Recorder<Failed<Int>>()
        let fail = self.failOnThrees
        let out = try await PipelineTest.collect(Array(1...7)) {
            Map { (n: Int) in try fail(n) }
                .onError(.deadLetter { Sink { (failed: Failed<Int>) in dead.record(failed) } })
        }
        #expect(out == [1, 2, 4, 5, 7])
        #expect(dead.all.map(\.item) == [3, 6])
        #expect(dead.all.allSatisfy { $0.stage == "map" && $0.attempts == 1 && $0.error is Boom })
    }

    @Test func deadLetterBranch_isNamedUnderItsStage() {
        let pipeline = Pipeline("dl") {
            Source([1])
            Map { (n: Int) in n }.onError(.deadLetter { Sink { (_: Failed<Int>) in } })
        }
        #expect(pipeline.stageNames == ["source", "map", "map/dead-letter/sink"])
    }

    @Test func retry_triesAgainAfterTheBackoff_onThePipelineClock() async throws {
        let clock = ManualClock()
        let attempts = Counter()
        let retry = Retry(maxAttempts: 5, backoff: .exponential(initial: .seconds(1), maximum: .seconds(10)))
        try await PipelineTest.run(Int.self, clock: clock) {
            Map { (n: Int) throws -> Int in
                if attempts.increment() < 3 { throw Boom(item: n) }
                return n * 10
            }
            .onError(.retry(retry))
        } test: { run in
            try await run.send(7)
            try await clock.waitForSleepers(1)
            #expect(attempts.current == 1)
            clock.advance(by: .seconds(1))  // first backoff: 1 s
            try await clock.waitForSleepers(1)
            #expect(attempts.current == 2)
            clock.advance(by: .milliseconds(1_999))
            #expect(clock.sleeperCount == 1, "the second backoff is 2 s")
            clock.advance(by: .milliseconds(1))
            #expect(try await run.next() == 70)
            #expect(attempts.current == 3)
        }
    }

    @Test func retryThatGivesUp_fallsBackToTheNextPolicy() async throws {
        let clock = ManualClock()
        let dead = Recorder<Failed<Int>>()
        try await PipelineTest.run(Int.self, clock: clock) {
            Map { (n: Int) throws -> Int in throw Boom(item: n) }
                .onError(
                    .retry(
                        Retry(maxAttempts: 2, backoff: .constant(.seconds(1))),
                        then: .deadLetter { Sink { (failed: Failed<Int>) in dead.record(failed) } }
                    )
                )
        } test: { run in
            try await run.send(5)
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(1))
            run.finish()
            try await run.completion()
            #expect(dead.all.map(\.item) == [5])
            #expect(dead.all.first?.attempts == 2)
        }
    }

    @Test func retry_skipsErrorsItIsToldNotToRetry() async throws {
        let attempts = Counter()
        let retry = Retry(maxAttempts: 10, isRetryable: { !($0 is Boom) })
        let out = try await PipelineTest.collect([1, 2]) {
            Map { (n: Int) throws -> Int in
                attempts.increment()
                if n == 1 { throw Boom(item: n) }
                return n
            }
            .onError(.retry(retry, then: .skip))
        }
        #expect(out == [2])
        #expect(attempts.current == 2)
    }

    @Test func backoff_growsByItsMultiplier_upToItsMaximum() {
        let backoff = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2)
        #expect(
            (1...6).map { backoff.delay(afterAttempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1),
            ]
        )
    }
}
