import NIOCore
import Testing

@testable import Stages

// MARK: crossing and crossing-removed frames (CONTRACT §6.5): never coalesced, always after `subscribed`

extension LiveConnectionStateMachineTests {
    /// A timing frame of `device` at `timestamp` (µs) whose bytes name both (`x:d1@5`).
    static func crossing(_ device: String, _ timestamp: Int64) -> LiveFrame {
        LiveFrame(
            topic: 0,
            deviceID: device,
            timestamp: timestamp,
            bytes: ByteBuffer(string: "x:\(device)@\(timestamp)"),
            kind: .timing
        )
    }

    @Test func fetchingDeliverCrossing_isBufferedAndSentAfterSubscribedEvenIfInTheSnapshot() {
        var machine = Self.openMachine(clientQueue: 8)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        for frame in [Self.position("d1", 5), Self.crossing("d1", 3), Self.crossing("d1", 3)] {
            #expect(
                machine.deliver(frame, of: Self.topicA, isWritable: true, now: Self.at(0))
                    == .wait(.appended, startsSlowTimer: false)
            )
        }
        #expect(machine.unflushed == 0, "nothing is written before subscribed")
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot(["d1": 5]))
        #expect(
            Self.positions(answer) == ["x:d1@3", "x:d1@3"],
            "crossings follow subscribed whatever the snapshot holds; the position d1@5 is in it"
        )
    }

    @Test func behindDeliverCrossings_areNeverCoalesced() {
        var machine = Self.subscribedMachine(clientQueue: 8)
        _ = machine.send(.position(Self.position("d1", 1)), isWritable: false, now: Self.at(0))
        #expect(
            machine.deliver(Self.crossing("d1", 2), of: Self.topicA, isWritable: false, now: Self.at(0))
                == .wait(.appended, startsSlowTimer: false)
        )
        #expect(
            machine.deliver(Self.crossing("d1", 3), of: Self.topicA, isWritable: false, now: Self.at(0))
                == .wait(.appended, startsSlowTimer: false)
        )
        #expect(
            machine.deliver(Self.position("d1", 4), of: Self.topicA, isWritable: false, now: Self.at(0))
                == .wait(.coalesced, startsSlowTimer: false),
            "positions still coalesce among themselves"
        )
        #expect(Self.drain(&machine) == ["d1@4", "x:d1@2", "x:d1@3"])
    }

    @Test func behindQueueFull_crossingsCountAndTheOldestPositionIsDroppedFirst() {
        var machine = Self.subscribedMachine(clientQueue: 2)
        _ = machine.send(.position(Self.crossing("d1", 1)), isWritable: false, now: Self.at(0))
        _ = machine.send(.position(Self.position("d2", 2)), isWritable: false, now: Self.at(0))
        #expect(
            machine.deliver(Self.crossing("d1", 3), of: Self.topicA, isWritable: false, now: Self.at(0))
                == .wait(.droppedOldest, startsSlowTimer: false),
            "a crossing counts against the bounded queue"
        )
        #expect(Self.drain(&machine) == ["x:d1@1", "x:d1@3"], "the position went first, the older crossing stays")
    }

    @Test func behindQueueFullOfCrossings_dropsTheOldestCrossing() {
        var machine = Self.subscribedMachine(clientQueue: 2)
        for timestamp: Int64 in [1, 2, 3] {
            _ = machine.send(.position(Self.crossing("d1", timestamp)), isWritable: false, now: Self.at(0))
        }
        #expect(Self.drain(&machine) == ["x:d1@2", "x:d1@3"], "what waits stays bounded")
    }
}
