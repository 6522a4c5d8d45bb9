import Flow
import FlowTesting
import Testing

/// A per-item stage written as a named type: ``ItemStage`` with `process`.
@Suite(.timeLimit(.minutes(1))) struct NamedItemStageTests {
    struct Boom: Error {}

    /// Keeps even numbers, halved; throws on negative ones.
    struct HalveEvens: ItemStage {
        var options = ItemOptions<Int>()

        func process(_ n: Int, into output: inout [Int], context: StageContext) throws {
            if n < 0 { throw Boom() }
            if n % 2 == 0 { output.append(n / 2) }
        }
    }

    @Test func namedItemStage_runsItsFunctionForEveryItem() async throws {
        let out = try await PipelineTest.collect([1, 2, 3, 4, 10]) { HalveEvens() }
        #expect(out == [1, 2, 5])
    }

    @Test func namedItemStage_isNamedAfterItsType_orAsNamed() {
        let pipeline = Pipeline("x") {
            Source([1])
            HalveEvens()
            HalveEvens().named("again")
        }
        #expect(pipeline.stageNames == ["source", "halve-evens", "again"])
    }

    @Test func namedItemStage_takesTheErrorPolicyAndConcurrencyModifiers() async throws {
        let failed = Recorder<Int>()
        let pipeline = Pipeline("x") {
            Source([2, -1, 4])
            HalveEvens()
                .concurrency(.ordered(2))
                .onError(.deadLetter { Sink { (failure: Failed<Int>) in failed.record(failure.item) } })
        }
        #expect(pipeline.stageNames == ["source", "halve-evens", "halve-evens/dead-letter/sink"])
        let out = try await PipelineTest.collect([2, -1, 4]) {
            HalveEvens()
                .concurrency(.ordered(2))
                .onError(.deadLetter { Sink { (failure: Failed<Int>) in failed.record(failure.item) } })
        }
        #expect(out == [1, 2])
        #expect(failed.all == [-1])
    }

    @Test func modifiersGivenTwice_theLastNameAndBufferWin() {
        let pipeline = Pipeline("x") {
            Source([1])
            Batch<Int>(max: 2, within: .seconds(1)).named("first").buffer(.capacity(4)).named("second")
        }
        #expect(pipeline.stageNames == ["source", "second"])
    }
}
