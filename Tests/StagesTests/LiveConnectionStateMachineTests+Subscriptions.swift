import NIOCore
import Testing

@testable import Stages

// MARK: subscribe, unsubscribe, answers, deliveries while a subscription is set up

extension LiveConnectionStateMachineTests {
    /// The texts of the positions an answer sends after `subscribed`.
    static func positions(_ action: Machine.AnswerAction) -> [String]? {
        guard case .subscribed(_, let positions) = action else { return nil }
        return positions.map { String(buffer: $0.bytes) }
    }

    @Test func openReceivesSubscribe_startsFetchAndJoinsTopic() {
        var machine = Self.openMachine()
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicA)) == .subscribe(Self.topicA, id: 0, join: true)
        )
        let open = Self.open(machine)
        #expect(open?.subscribesInFlight == 1)
        #expect(open?.subscriptions[Self.topicA]?.fetching?.requests == 1)
    }

    @Test func fetchingReceivesSubscribeAgain_fetchesAgainWithoutJoiningAgain() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicA)) == .subscribe(Self.topicA, id: 0, join: false)
        )
        #expect(Self.open(machine)?.subscriptions[Self.topicA]?.fetching?.requests == 2)
        #expect(Self.open(machine)?.subscribesInFlight == 2)
    }

    @Test func subscribedReceivesSubscribeAgain_fetchesAFreshSnapshotWithoutJoiningAgain() {
        var machine = Self.subscribedMachine()
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicA)) == .subscribe(Self.topicA, id: 0, join: false)
        )
    }

    @Test func openReceivesSubscribeToAnotherTopic_joinsItWithANewID() {
        var machine = Self.subscribedMachine()
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicB)) == .subscribe(Self.topicB, id: 1, join: true)
        )
    }

    @Test func subscribedReceivesUnsubscribe_leavesTopicAndAnswersUnsubscribed() {
        var machine = Self.subscribedMachine()
        let action = machine.frameReceived(Self.request("unsubscribe", Self.topicA))
        #expect(action == .unsubscribe(Self.topicA, leave: true, answer: LiveMessage.unsubscribed(topic: Self.topicA)))
        #expect(Self.open(machine)?.subscriptions.isEmpty == true)
    }

    @Test func openReceivesUnsubscribeOfATopicNotJoined_answersUnsubscribedWithoutLeaving() {
        var machine = Self.subscribedMachine()
        let action = machine.frameReceived(Self.request("unsubscribe", Self.topicB))
        #expect(action == .unsubscribe(Self.topicB, leave: false, answer: LiveMessage.unsubscribed(topic: Self.topicB)))
        #expect(Self.open(machine)?.subscriptions.keys.sorted { $0.event < $1.event } == [Self.topicA])
    }

    @Test func fetchingDeliver_buffersThePositionInsteadOfWritingIt() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        let action = machine.deliver(Self.position("d1", 5), of: Self.topicA, isWritable: true, now: Self.at(0))
        #expect(action == .wait(.appended, startsSlowTimer: false))
        #expect(machine.unflushed == 0)
        #expect(Self.open(machine)?.queue.isEmpty == true, "the client is not behind")
    }

    @Test func fetchingBuffersPositionsAndSendsOnlyNewerThanSnapshot() {
        var machine = Self.openMachine(clientQueue: 8)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        for (device, timestamp) in [("d1", 5), ("d2", 5), ("d1", 7), ("d3", 1)] as [(String, Int64)] {
            _ = machine.deliver(Self.position(device, timestamp), of: Self.topicA, isWritable: true, now: Self.at(0))
        }
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot(["d1": 5, "d2": 6]))
        guard case .subscribed(let message, _) = answer else {
            Issue.record("a snapshot is answered subscribed")
            return
        }
        #expect(String(buffer: message) == "snapshot")
        #expect(Self.positions(answer) == ["d1@7", "d3@1"], "d1@5 and d2@5 are in the snapshot already")
        #expect(Self.open(machine)?.subscriptions[Self.topicA]?.fetching == nil)
        #expect(Self.open(machine)?.subscribesInFlight == 0)
    }

    /// The snapshot comes from what durable-write stored, which can be ahead of what live-broadcast has read:
    /// a position it reads later, no newer than its device's snapshot position, would take the marker back.
    @Test func subscribed_positionNoNewerThanItsDevicesSnapshot_isNotSent_untilANewerOnePassed() {
        var machine = Self.openMachine(clientQueue: 8)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.deliver(Self.position("d2", 9), of: Self.topicA, isWritable: true, now: Self.at(0))
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot(["d1": 5, "d2": 6]))
        #expect(Self.positions(answer) == ["d2@9"], "d2 has moved on past its snapshot already")
        func deliver(_ device: String, _ timestamp: Int64) -> String? {
            Self.written(
                machine.deliver(Self.position(device, timestamp), of: Self.topicA, isWritable: true, now: Self.at(0))
            )
        }
        #expect(deliver("d1", 4) == nil, "older than d1's snapshot position")
        #expect(deliver("d1", 5) == nil, "d1's snapshot position itself, again")
        #expect(deliver("d2", 8) == "d2@8", "d2 is not held back any more (drop-stale keeps its older ones away)")
        #expect(deliver("d3", 1) == "d3@1", "a device without a snapshot position")
        #expect(deliver("d1", 7) == "d1@7")
        #expect(Self.open(machine)?.floors.isEmpty == true, "every device has moved on: nothing to look up")
        #expect(deliver("d1", 6) == "d1@6", "held back no more")
    }

    @Test func unsubscribed_forgetsTheSnapshotsTimes() {
        var machine = Self.openMachine(clientQueue: 8)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot(["d1": 5]))
        #expect(Self.open(machine)?.floors[Self.topicA] == ["d1": 5])
        _ = machine.frameReceived(Self.request("unsubscribe", Self.topicA))
        #expect(Self.open(machine)?.floors.isEmpty == true)
    }

    @Test func subscribedDeliver_writesAtOnce() {
        var machine = Self.subscribedMachine()
        let action = machine.deliver(Self.position("d1", 5), of: Self.topicA, isWritable: true, now: Self.at(0))
        #expect(Self.written(action) == "d1@5")
        #expect(machine.unflushed == 1)
    }

    @Test func fetchingBufferFull_deliver_dropsTheOldestThenCoalesces() {
        var machine = Self.openMachine(clientQueue: 2)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        func deliver(_ device: String, _ timestamp: Int64) -> Machine.SendAction {
            machine.deliver(Self.position(device, timestamp), of: Self.topicA, isWritable: true, now: Self.at(0))
        }
        #expect(deliver("d1", 1) == .wait(.appended, startsSlowTimer: false))
        #expect(deliver("d1", 2) == .wait(.appended, startsSlowTimer: false), "kept while there is room")
        #expect(deliver("d2", 3) == .wait(.droppedOldest, startsSlowTimer: false))
        #expect(deliver("d2", 4) == .wait(.coalesced, startsSlowTimer: false))
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot())
        #expect(Self.positions(answer) == ["d1@2", "d2@4"])
    }

    @Test func fetchingSubscribeRefused_sendsTheErrorAndLeavesTheTopic() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.deliver(Self.position("d1", 5), of: Self.topicA, isWritable: true, now: Self.at(0))
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, .refused(.forbidden, message: "no"))
        guard case .refused(let error, let leave) = answer else {
            Issue.record("a refusal is answered with an error")
            return
        }
        #expect(
            Self.payload(error) == #"{"type":"error","topic":"\#(Self.topicA.name)","code":"forbidden","message":"no"}"#
        )
        #expect(leave)
        #expect(Self.open(machine)?.subscriptions.isEmpty == true, "its buffered position is dropped with it")
    }

    @Test func fetchingTwiceFirstRefused_keepsTheSubscriptionAndItsBufferForTheSecond() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.deliver(Self.position("d1", 5), of: Self.topicA, isWritable: true, now: Self.at(0))
        guard
            case .refused(_, leave: false) = machine.subscribeAnswered(
                topic: Self.topicA,
                id: 0,
                .refused(.unavailable, message: "later")
            )
        else {
            Issue.record("the first refusal keeps the subscription")
            return
        }
        let answer = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot())
        #expect(Self.positions(answer) == ["d1@5"])
    }

    @Test func fetchingTwiceFirstSubscribed_sendsWhatCameSoFarAndBuffersForTheSecond() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.deliver(Self.position("d1", 5), of: Self.topicA, isWritable: true, now: Self.at(0))
        #expect(Self.positions(machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot())) == ["d1@5"])

        let action = machine.deliver(Self.position("d1", 6), of: Self.topicA, isWritable: true, now: Self.at(0))
        #expect(action == .wait(.appended, startsSlowTimer: false), "the second answer is still awaited")
        _ = machine.deliver(Self.position("d2", 6), of: Self.topicA, isWritable: true, now: Self.at(0))
        let second = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot(["d2": 6]))
        #expect(Self.positions(second) == ["d1@6"])
        #expect(
            Self.written(machine.deliver(Self.position("d1", 7), of: Self.topicA, isWritable: true, now: Self.at(0)))
                == "d1@7"
        )
    }

    @Test func unsubscribedWhileFetching_dropsTheAnswer() {
        var machine = Self.openMachine(maxSubscribesInFlight: 1)
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.frameReceived(Self.request("unsubscribe", Self.topicA))
        #expect(machine.read() == false, "the answer is still in flight")
        guard case .none = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot()) else {
            Issue.record("the answer of an ended subscription is dropped")
            return
        }
        #expect(Self.open(machine)?.subscribesInFlight == 0)
        #expect(machine.releaseHeldRead() == true)
    }

    @Test func resubscribedWhileFetching_dropsTheAnswerOfTheEndedSubscription() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.frameReceived(Self.request("unsubscribe", Self.topicA))
        #expect(
            machine.frameReceived(Self.request("subscribe", Self.topicA)) == .subscribe(Self.topicA, id: 1, join: true)
        )
        guard case .none = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot()) else {
            Issue.record("the old subscription's answer is dropped")
            return
        }
        #expect(Self.open(machine)?.subscriptions[Self.topicA]?.fetching?.requests == 1)
        #expect(Self.positions(machine.subscribeAnswered(topic: Self.topicA, id: 1, Self.snapshot())) == [])
    }

    @Test func fetchingFetchFailedWithoutAnswer_sendsNothingAndKeepsWaiting() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        guard case .none = machine.subscribeAnswered(topic: Self.topicA, id: 0, nil) else {
            Issue.record("no answer, nothing sent")
            return
        }
        #expect(Self.open(machine)?.subscribesInFlight == 0)
    }

    @Test func closingSubscribeAnswered_doesNothing() {
        var machine = Self.openMachine()
        _ = machine.frameReceived(Self.request("subscribe", Self.topicA))
        _ = machine.shutdown()
        guard case .none = machine.subscribeAnswered(topic: Self.topicA, id: 0, Self.snapshot()) else {
            Issue.record("a closing connection sends no answer")
            return
        }
        #expect(Self.isClosing(machine))
    }

    @Test func closingOrClosedDeliver_doesNothing() {
        var closing = Self.closingMachine()
        var closed = Self.closedMachine()
        #expect(closing.deliver(Self.position("d1", 1), of: Self.topicA, isWritable: true, now: Self.at(0)) == .none)
        #expect(closed.deliver(Self.position("d1", 1), of: Self.topicA, isWritable: true, now: Self.at(0)) == .none)
        #expect(closing.unflushed == 0 && closed.unflushed == 0)
    }
}
