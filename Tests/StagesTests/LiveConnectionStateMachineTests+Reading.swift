import NIOCore
import Testing

@testable import Stages

// MARK: Holding reads, and closing

extension LiveConnectionStateMachineTests {
    @Test func caughtUpRead_readsAtOnce() {
        var machine = Self.subscribedMachine()
        #expect(machine.read() == true)
        #expect(Self.open(machine)?.isReadHeld == false)
    }

    @Test func behindRead_holdsTheReadUntilTheClientCatchesUp() {
        var machine = Self.behindMachine()
        #expect(machine.read() == false)
        #expect(machine.releaseHeldRead() == false, "still behind")
        #expect(Self.drain(&machine) == ["w0@1"])
        #expect(machine.releaseHeldRead() == true)
        #expect(machine.releaseHeldRead() == false, "issued once")
    }

    @Test func tooManySubscribesInFlightRead_holdsTheReadUntilAnAnswer() {
        var machine = Self.openMachine(maxSubscribesInFlight: 2)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        #expect(machine.read() == true, "one in flight of two")
        _ = machine.frameReceived(Self.request("subscribe", Self.topicB))
        #expect(machine.read() == false)
        _ = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot())
        #expect(machine.releaseHeldRead() == true)
    }

    @Test func openReleaseHeldReadWithoutAHeldRead_doesNothing() {
        var machine = Self.openMachine()
        #expect(machine.releaseHeldRead() == false)
    }

    @Test func closingOrClosedRead_readsAtOnce() {
        var closing = Self.closingMachine()
        var closed = Self.closedMachine()
        #expect(closing.read() == true)
        #expect(closed.read() == true)
        #expect(closing.releaseHeldRead() == false)
    }

    @Test func behindWithAHeldReadClose_resumesReadingForTheClientsCloseFrame() throws {
        var machine = Self.behindMachine()
        #expect(machine.read() == false)
        let returned = machine.shutdown()
        let action = try #require(returned)
        #expect(action.resumesReading)
        #expect(action.stopsSlowTimer)
    }

    @Test func behindClose_dropsWhatWaitsAndLeavesEveryTopic() throws {
        var machine = Self.behindMachine(waiting: 2)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicB))
        let returned = machine.close(code: 1000, reason: "bye", closeWhenSent: true)
        let action = try #require(returned)
        #expect(Set(action.leave) == [Self.topicA, Self.topicB])
        #expect(action.stopsSlowTimer)
        #expect(!action.resumesReading)
        #expect(Self.isClosing(machine))
        #expect(machine.writeQueued(isWritable: true) == .none, "nothing waits any more")
    }

    @Test func closingClose_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.close(code: 1000, reason: "", closeWhenSent: true) == nil)
    }
}
