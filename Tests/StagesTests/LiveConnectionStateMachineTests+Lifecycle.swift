import NIOCore
import NIOWebSocket
import Testing

@testable import Stages

// MARK: Upgrade, tear-down, shutdown, errors, close timer

extension LiveConnectionStateMachineTests {
    @Test func upgradedHandlerAdded_opens() {
        var machine = Machine(configuration: .init(clientQueue: 1, maxSubscribesInFlight: 1, maxMessageSize: 1))
        #expect(!machine.isOpen)
        #expect(machine.handlerAdded() == true)
        #expect(machine.isOpen)
        #expect(Self.open(machine)?.subscriptions.isEmpty == true)
        #expect(Self.open(machine)?.queue.isEmpty == true)
    }

    @Test func openHandlerAdded_doesNotOpenAgain() {
        var machine = Self.openMachine()
        #expect(machine.handlerAdded() == false)
        #expect(machine.isOpen)
    }

    @Test func upgradedEvents_areIgnoredUntilTheHandlerIsAdded() {
        var machine = Machine(configuration: .init(clientQueue: 1, maxSubscribesInFlight: 1, maxMessageSize: 64))
        #expect(machine.frameReceived(Self.request("subscribe", Self.topicA)) == .none)
        #expect(machine.send(.control(ByteBuffer(string: "x")), isWritable: true, now: Self.at(0)) == .none)
        #expect(machine.shutdown() == nil)
        #expect(machine.read() == true)
        #expect(machine.unflushed == 0)
    }

    @Test func upgradedChannelClosed_endsWithoutCountingAClose() {
        var machine = Machine(configuration: .init(clientQueue: 1, maxSubscribesInFlight: 1, maxMessageSize: 1))
        #expect(machine.channelClosed() == nil)
        #expect(Self.isClosed(machine))
        #expect(machine.handlerAdded() == false, "a closed connection never opens")
    }

    @Test func openChannelClosed_leavesEveryTopic() throws {
        var machine = Self.subscribedMachine([Self.topicA, Self.topicB])
        let returned = machine.channelClosed()
        let action = try #require(returned)
        #expect(Set(action.leave) == [Self.topicA, Self.topicB])
        #expect(!action.stopsSlowTimer)
        #expect(!action.stopsCloseTimer)
        #expect(Self.isClosed(machine))
    }

    @Test func behindChannelClosed_stopsTheSlowTimer() throws {
        var machine = Self.behindMachine()
        let returned = machine.channelClosed()
        let action = try #require(returned)
        #expect(action.stopsSlowTimer)
        #expect(action.leave == [Self.topicA])
    }

    @Test func closingChannelClosed_stopsTheCloseTimerAndLeavesNothing() throws {
        var machine = Self.closingMachine()
        let returned = machine.channelClosed()
        let action = try #require(returned)
        #expect(action == .init(leave: [], stopsSlowTimer: false, stopsCloseTimer: true))
        #expect(Self.isClosed(machine))
    }

    @Test func closedChannelClosed_doesNothingAgain() {
        var machine = Self.closedMachine()
        #expect(machine.channelClosed() == nil)
    }

    @Test func openShutdown_closesWith1001WithoutWaitingForTheFrameToBeWritten() throws {
        var machine = Self.subscribedMachine()
        let returned = machine.shutdown()
        let action = try #require(returned)
        #expect(action.code == 1001)
        #expect(action.reason == "server shutting down")
        #expect(!action.closeWhenSent)
        #expect(action.leave == [Self.topicA])
        #expect(Self.isClosing(machine))
    }

    @Test func closingShutdown_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.shutdown() == nil)
        #expect(Self.isClosing(machine))
    }

    @Test func closedShutdown_doesNothing() {
        var machine = Self.closedMachine()
        #expect(machine.shutdown() == nil)
        #expect(Self.isClosed(machine))
    }

    @Test func openErrorCaughtFrameTooLarge_closesWith1009WhenSent() {
        var machine = Self.openMachine()
        let action = machine.errorCaught(NIOWebSocketError.invalidFrameLength)
        let expected = Machine.CloseAction(
            code: 1009,
            reason: "frame too large",
            closeWhenSent: true,
            leave: [],
            stopsSlowTimer: false,
            resumesReading: false
        )
        #expect(action == .close(expected))
        #expect(Self.isClosing(machine))
    }

    @Test func openErrorCaughtOtherDecoderError_closesWith1002WhenSent() {
        var machine = Self.openMachine()
        guard case .close(let action) = machine.errorCaught(NIOWebSocketError.fragmentedControlFrame) else {
            Issue.record("a frame the decoder refuses closes the connection")
            return
        }
        #expect(action.code == 1002)
        #expect(action.reason == "invalid frame")
        #expect(action.closeWhenSent)
    }

    struct IOError: Error {}

    @Test func openErrorCaughtIOError_closesTheChannelAtOnce() {
        var machine = Self.openMachine()
        #expect(machine.errorCaught(IOError()) == .closeChannel)
        #expect(machine.isOpen, "the channel's close brings channelClosed")
    }

    @Test func closingErrorCaughtDecoderError_doesNothing() {
        var machine = Self.closingMachine()
        #expect(machine.errorCaught(NIOWebSocketError.invalidFrameLength) == .none)
        #expect(Self.isClosing(machine))
    }

    @Test func closingErrorCaughtIOError_closesTheChannel() {
        var machine = Self.closingMachine()
        #expect(machine.errorCaught(IOError()) == .closeChannel)
    }

    @Test func closingCloseTimerFires_closesTheChannel() {
        #expect(Self.closingMachine().closeTimerFired())
    }

    @Test func openOrClosedCloseTimerFires_doesNothing() {
        #expect(!Self.openMachine().closeTimerFired())
        #expect(!Self.closedMachine().closeTimerFired())
    }
}
