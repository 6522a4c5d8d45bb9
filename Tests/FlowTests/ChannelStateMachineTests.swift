import Testing

@testable import Flow

/// Each state of the channel × each event, on the pure state machine.
@Suite(.timeLimit(.minutes(1))) struct ChannelStateMachineTests {
    typealias Machine = ChannelStateMachine<Int>

    func machine(low: Int = 2, high: Int = 4, maxChunk: Int = 3) -> Machine {
        Machine(backpressure: .watermark(low: low, high: high, maxChunk: maxChunk))
    }

    func chunk(_ action: Machine.NextAction) -> [Int]? {
        if case .deliver(.chunk(let chunk), _) = action { return chunk }
        return nil
    }

    @Test func emptyOpenChannel_next_suspends() {
        var machine = self.machine()
        guard case .suspend = machine.next(wakeable: false) else {
            Issue.record("expected suspend")
            return
        }
    }

    @Test func bufferBelowHigh_send_buffersWithoutSuspending() {
        var machine = self.machine()
        guard case .none = machine.send([1, 2]) else {
            Issue.record("expected none")
            return
        }
        #expect(machine.weight == 2)
    }

    @Test func bufferReachingHigh_send_asksProducerToSuspend() {
        var machine = self.machine()
        _ = machine.send([1, 2])
        guard case .suspend = machine.send([3, 4]) else {
            Issue.record("expected suspend at the high watermark")
            return
        }
        #expect(machine.weight == 4)
    }

    @Test func chunksWhileConsumerBusy_send_mergeUpToMaxChunk() {
        var machine = self.machine(low: 10, high: 20, maxChunk: 3)
        _ = machine.send([1])
        _ = machine.send([2])
        _ = machine.send([3])
        _ = machine.send([4])
        #expect(self.chunk(machine.next(wakeable: false)) == [1, 2, 3])
        #expect(self.chunk(machine.next(wakeable: false)) == [4])
    }

    @Test func aboveLow_producerWillSuspend_isStored_andAtLow_resumesAtOnce() async {
        var machine = self.machine(low: 2, high: 4, maxChunk: 1)
        for item in 1...4 { _ = machine.send([item]) }
        _ = await withUnsafeContinuation { (continuation: Machine.Producer) in
            guard case .stored = machine.producerWillSuspend(id: 1, continuation, isCancelled: false) else {
                Issue.record("expected the producer to be stored above the low watermark")
                continuation.resume(returning: .resumed)
                return
            }
            _ = machine.next(wakeable: false)  // 3 left
            guard case .deliver(_, let producers) = machine.next(wakeable: false) else {  // 2 left: low
                Issue.record("expected a delivery")
                return
            }
            #expect(producers.count == 1)
            for producer in producers { producer.resume(returning: .resumed) }
        }
    }

    @Test func finishedWithBuffer_next_deliversBufferThenEnd() {
        var machine = self.machine()
        _ = machine.send([1])
        _ = machine.finish()
        #expect(self.chunk(machine.next(wakeable: false)) == [1])
        guard case .deliver(.end, _) = machine.next(wakeable: false) else {
            Issue.record("expected end")
            return
        }
    }

    @Test func finished_send_isRefused() {
        var machine = self.machine()
        _ = machine.finish()
        guard case .refuse = machine.send([1]) else {
            Issue.record("expected refuse")
            return
        }
    }

    @Test func consumerClosed_send_isRefused_andBufferDropped() {
        var machine = self.machine()
        _ = machine.send([1, 2])
        let (dropped, producers) = machine.closeConsumer()
        #expect(dropped == 2)
        #expect(producers.isEmpty)
        guard case .refuse = machine.send([3]) else {
            Issue.record("expected refuse")
            return
        }
    }

    @Test func noWaiter_wake_isRememberedForWakeableNextOnly() {
        var machine = self.machine()
        #expect(machine.wake() == nil)
        guard case .suspend = machine.next(wakeable: false) else {
            Issue.record("a plain next must not see the wake")
            return
        }
        guard case .deliver(.wake, _) = machine.next(wakeable: true) else {
            Issue.record("expected the remembered wake")
            return
        }
        guard case .suspend = machine.next(wakeable: true) else {
            Issue.record("a wake is delivered once")
            return
        }
    }

    @Test func itemsBuffered_wakeableNext_prefersItemsOverWake() {
        var machine = self.machine()
        _ = machine.wake()
        _ = machine.send([7])
        #expect(self.chunk(machine.next(wakeable: true)) == [7])
    }

    @Test func heavyChunk_send_suspendsByWeightNotByCount() {
        var machine = self.machine(low: 2, high: 10, maxChunk: 100)
        guard case .none = machine.send([1], weight: 6) else {
            Issue.record("expected none below high")
            return
        }
        guard case .suspend = machine.send([2], weight: 6) else {
            Issue.record("two items weighing 12 must reach the high watermark of 10")
            return
        }
        #expect(machine.weight == 12)
        _ = machine.next(wakeable: false)
        #expect(machine.weight == 0)
    }

    @Test func weightedChunksWhileConsumerBusy_send_mergeUpToMaxChunkWeight() {
        var machine = self.machine(low: 50, high: 100, maxChunk: 10)
        _ = machine.send([1], weight: 4)
        _ = machine.send([2], weight: 4)
        _ = machine.send([3], weight: 4)
        #expect(self.chunk(machine.next(wakeable: false)) == [1, 2])
        #expect(self.chunk(machine.next(wakeable: false)) == [3])
    }
}

extension ChannelStateMachine {
    /// A chunk of items weighing one each.
    fileprivate mutating func send(_ chunk: [Item]) -> SendAction {
        self.send(chunk, weight: chunk.count)
    }
}
