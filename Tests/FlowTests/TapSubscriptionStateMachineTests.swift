import Testing

@testable import Flow

/// Each state of a tap subscription × each event, on the pure state machine.
@Suite(.timeLimit(.minutes(1))) struct TapSubscriptionStateMachineTests {
    typealias Machine = TapSubscriptionStateMachine

    func delivered(_ action: Machine.NextAction) -> TapSubscription.Chunk?? {
        if case .deliver(let chunk) = action { return .some(chunk) }
        return .none
    }

    @Test func empty_next_suspends() {
        var machine = Machine(capacity: 2, limit: nil)
        #expect(self.delivered(machine.next()) == nil)
    }

    @Test func withRoom_offer_takesEverything_andNextHandsItOver() {
        var machine = Machine(capacity: 3, limit: nil)
        #expect(machine.wants(2) == 2)
        guard case .none = machine.offer(["1", "2"], of: 2) else {
            Issue.record("nobody waits")
            return
        }
        #expect(self.delivered(machine.next()) == .some(TapSubscription.Chunk(items: ["1", "2"], dropped: 0)))
        #expect(machine.taken == 2)
    }

    @Test func full_offer_dropsAndCounts_andTheNextChunkSaysSo() {
        var machine = Machine(capacity: 2, limit: nil)
        #expect(machine.wants(5) == 2)
        _ = machine.offer(["1", "2"], of: 5)
        #expect(machine.wants(1) == 0)
        _ = machine.offer([], of: 4)
        #expect(machine.dropped == 7)
        #expect(self.delivered(machine.next()) == .some(TapSubscription.Chunk(items: ["1", "2"], dropped: 7)))
        #expect(self.delivered(machine.next()) == nil, "nothing new: it waits again")
    }

    @Test func limit_offer_takesUpToTheLimit_endsIt_andCountsNothingPastItAsDropped() {
        var machine = Machine(capacity: 10, limit: 3)
        #expect(machine.wants(5) == 3)
        _ = machine.offer(["1", "2", "3"], of: 5)
        #expect(machine.end == .limitReached)
        #expect(machine.dropped == 0)
        #expect(machine.wants(1) == 0)
        #expect(self.delivered(machine.next()) == .some(TapSubscription.Chunk(items: ["1", "2", "3"], dropped: 0)))
        #expect(self.delivered(machine.next()) == .some(nil), "then the end")
    }

    @Test func waitingReader_offer_resumesItWithTheItems() async {
        var machine = Machine(capacity: 4, limit: nil)
        let chunk = await withUnsafeContinuation { (reader: Machine.Reader) in
            guard case .suspend = machine.readerWillSuspend(reader, isCancelled: false) else {
                Issue.record("an empty subscription makes its reader wait")
                return reader.resume(returning: nil)
            }
            guard case .resume(let waiting, let chunk) = machine.offer(["1"], of: 1) else {
                Issue.record("an offer resumes the waiting reader")
                return reader.resume(returning: nil)
            }
            waiting.resume(returning: chunk)
        }
        #expect(chunk == TapSubscription.Chunk(items: ["1"], dropped: 0))
    }

    @Test func waitingReader_finish_resumesItWithTheEnd() async {
        var machine = Machine(capacity: 4, limit: nil)
        let chunk = await withUnsafeContinuation { (reader: Machine.Reader) in
            _ = machine.readerWillSuspend(reader, isCancelled: false)
            machine.finish(.pipelineStopped)?.resume(returning: nil)
        }
        #expect(chunk == nil)
        #expect(machine.end == .pipelineStopped)
    }

    @Test func ended_offer_takesNothing_butWhatIsBufferedIsStillRead() {
        var machine = Machine(capacity: 4, limit: nil)
        _ = machine.offer(["1"], of: 1)
        _ = machine.finish(.finished)
        _ = machine.offer(["2"], of: 1)
        #expect(machine.dropped == 0)
        #expect(self.delivered(machine.next()) == .some(TapSubscription.Chunk(items: ["1"], dropped: 0)))
        #expect(self.delivered(machine.next()) == .some(nil))
        _ = machine.finish(.pipelineStopped)
        #expect(machine.end == .finished, "the first end stays")
    }

    @Test func cancelledReader_readerWillSuspend_endsIt() async {
        var machine = Machine(capacity: 4, limit: nil)
        let chunk = await withUnsafeContinuation { (reader: Machine.Reader) in
            guard case .deliver(let chunk) = machine.readerWillSuspend(reader, isCancelled: true) else {
                Issue.record("a cancelled reader does not wait")
                return reader.resume(returning: nil)
            }
            reader.resume(returning: chunk)
        }
        #expect(chunk == nil)
        #expect(machine.end == .finished)
    }
}
