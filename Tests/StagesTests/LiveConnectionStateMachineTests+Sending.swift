import NIOCore
import Testing

@testable import Stages

// MARK: The coalescing queue, flushes, writability, slow clients

extension LiveConnectionStateMachineTests {
    static let control = ByteBuffer(string: "control")

    @Test func caughtUpWritableSend_writesAtOnce() {
        var machine = Self.openMachine()
        #expect(Self.written(machine.send(.control(Self.control), isWritable: true, now: Self.at(0))) == "control")
        #expect(
            Self.written(machine.send(.position(Self.position("d1", 1)), isWritable: true, now: Self.at(0))) == "d1@1"
        )
        #expect(machine.unflushed == 2)
    }

    @Test func caughtUpUnwritableSend_queuesAndStartsTheSlowTimer() {
        var machine = Self.openMachine()
        let action = machine.send(.position(Self.position("d1", 1)), isWritable: false, now: Self.at(3))
        #expect(action == .wait(.appended, startsSlowTimer: true))
        #expect(Self.open(machine)?.behindSince == Self.at(3))
        #expect(Self.open(machine)?.queue.count == 1)
        #expect(machine.unflushed == 0)
    }

    @Test func caughtUpUnwritableWithUnflushedWrites_send_flushesFirst() {
        var machine = Self.openMachine()
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        let message = LiveOutboundQueue.Element.position(Self.position("d1", 1))
        #expect(machine.send(message, isWritable: false, now: Self.at(0)) == .flushFirst(messages: 2))
        #expect(machine.unflushed == 0)
        #expect(Self.written(machine.send(message, isWritable: true, now: Self.at(0))) == "d1@1", "the flush made room")
        #expect(machine.unflushed == 1)
    }

    @Test func caughtUpStillUnwritableAfterTheFlush_queues() {
        var machine = Self.openMachine()
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        let message = LiveOutboundQueue.Element.position(Self.position("d1", 1))
        #expect(machine.send(message, isWritable: false, now: Self.at(0)) == .flushFirst(messages: 1))
        #expect(machine.send(message, isWritable: false, now: Self.at(0)) == .wait(.appended, startsSlowTimer: true))
    }

    @Test func behindWritableSend_queuesBehindWhatWaits() {
        var machine = Self.behindMachine()
        let action = machine.send(.position(Self.position("d1", 1)), isWritable: true, now: Self.at(5))
        #expect(action == .wait(.appended, startsSlowTimer: false))
        #expect(Self.open(machine)?.behindSince == Self.at(0), "still behind since the first")
        #expect(Self.drain(&machine) == ["w0@1", "d1@1"])
    }

    @Test func behindWithUnflushedWrites_send_queuesWithoutFlushing() {
        var machine = Self.behindMachine(waiting: 2)
        #expect(Self.written(Self.sendAction(machine.writeQueued(isWritable: true))) == "w0@1")
        #expect(machine.writeQueued(isWritable: false) == .done(stopsSlowTimer: false))
        #expect(machine.unflushed == 1)
        let action = machine.send(.position(Self.position("d2", 1)), isWritable: false, now: Self.at(0))
        #expect(action == .wait(.appended, startsSlowTimer: false))
        #expect(machine.unflushed == 1, "only a client with nothing waiting gets a flush first")
    }

    @Test func behindSendOfAWaitingDevice_coalescesInItsPlace() {
        var machine = Self.behindMachine(waiting: 2)
        let action = machine.send(.position(Self.position("w0", 9)), isWritable: false, now: Self.at(0))
        #expect(action == .wait(.coalesced, startsSlowTimer: false))
        #expect(Self.drain(&machine) == ["w0@9", "w1@1"])
    }

    @Test func behindQueueFull_send_dropsTheOldestPosition() {
        var machine = Self.behindMachine(waiting: 2, clientQueue: 2)
        let action = machine.send(.position(Self.position("d9", 1)), isWritable: false, now: Self.at(0))
        #expect(action == .wait(.droppedOldest, startsSlowTimer: false))
        #expect(Self.drain(&machine) == ["w1@1", "d9@1"])
    }

    @Test func behindQueueFull_sendControl_neverDropsItNorCoalescesAcrossIt() {
        var machine = Self.behindMachine(waiting: 2, clientQueue: 2)
        #expect(
            machine.send(.control(Self.control), isWritable: false, now: Self.at(0))
                == .wait(.appended, startsSlowTimer: false)
        )
        #expect(
            machine.send(.position(Self.position("w0", 2)), isWritable: false, now: Self.at(0))
                == .wait(.droppedOldest, startsSlowTimer: false)
        )
        #expect(Self.drain(&machine) == ["w1@1", "control", "w0@2"])
    }

    @Test func closingOrClosedSend_doesNothing() {
        var closing = Self.closingMachine()
        var closed = Self.closedMachine()
        #expect(closing.send(.control(Self.control), isWritable: true, now: Self.at(0)) == .none)
        #expect(closed.send(.control(Self.control), isWritable: false, now: Self.at(0)) == .none)
        #expect(closing.unflushed == 0 && closed.unflushed == 0)
    }

    @Test func openFlush_handsOverTheUnflushedCountOnce() {
        var machine = Self.openMachine()
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        #expect(machine.flush() == 2)
        #expect(machine.flush() == 0)
    }

    @Test func closingOrClosedFlush_stillHandsOverWhatWasWrittenBeforeTheClose() {
        var machine = Self.subscribedMachine()
        _ = machine.send(.control(Self.control), isWritable: true, now: Self.at(0))
        _ = machine.shutdown()
        _ = machine.channelClosed()
        #expect(machine.flush() == 1)
    }

    // MARK: Writability

    @Test func behindBecomesWritable_writesInOrderThenCatchesUp() {
        var machine = Self.behindMachine(waiting: 2)
        #expect(Self.written(Self.sendAction(machine.writeQueued(isWritable: true))) == "w0@1")
        #expect(Self.written(Self.sendAction(machine.writeQueued(isWritable: true))) == "w1@1")
        #expect(machine.writeQueued(isWritable: true) == .done(stopsSlowTimer: true))
        #expect(machine.unflushed == 2)
        #expect(Self.open(machine)?.behindSince == nil)
        #expect(Self.written(machine.send(.control(Self.control), isWritable: true, now: Self.at(0))) == "control")
    }

    @Test func behindLosesWritabilityWhileWriting_staysBehind() {
        var machine = Self.behindMachine(waiting: 2)
        #expect(Self.written(Self.sendAction(machine.writeQueued(isWritable: true))) == "w0@1")
        #expect(machine.writeQueued(isWritable: false) == .done(stopsSlowTimer: false))
        #expect(Self.open(machine)?.queue.count == 1)
        #expect(Self.open(machine)?.behindSince == Self.at(0))
    }

    @Test func caughtUpBecomesWritable_isDoneAtOnce() {
        var machine = Self.openMachine()
        #expect(machine.writeQueued(isWritable: true) == .done(stopsSlowTimer: false))
    }

    @Test func closingBecomesWritable_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.writeQueued(isWritable: true) == .none)
    }

    /// A queued write as a send's write, to read its text.
    static func sendAction(_ action: Machine.QueuedWriteAction) -> Machine.SendAction {
        guard case .write(let bytes) = action else { return .none }
        return .write(bytes)
    }

    // MARK: Slow clients

    @Test(arguments: [(10.04, "10"), (2.5, "2.5"), (0.96, "1")])
    func behindWhenSlowTimerFires_closesWith1008(seconds: Double, shown: String) throws {
        var machine = Self.behindMachine(since: Self.at(1), waiting: 2)
        let fired = machine.slowTimerFired(now: Self.at(1 + seconds))
        let slow = try #require(fired)
        #expect(slow.behindSeconds == shown)
        #expect(slow.waiting == 2)
        let expected = Machine.CloseAction(
            code: 1008,
            reason: "too slow: behind for \(shown)s",
            closeWhenSent: false,
            leave: [Self.topicA],
            stopsSlowTimer: true,
            resumesReading: false
        )
        #expect(slow.close == expected)
        #expect(Self.isClosing(machine))
    }

    @Test func caughtUpWhenSlowTimerFires_doesNothing() {
        var machine = Self.behindMachine()
        _ = Self.drain(&machine)
        #expect(machine.slowTimerFired(now: Self.at(60)) == nil)
        #expect(machine.isOpen)
    }

    @Test func closingWhenSlowTimerFires_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.slowTimerFired(now: Self.at(60)) == nil)
    }
}
