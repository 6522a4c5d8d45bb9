import NIOCore
import Testing

@testable import Stages

/// What waits for a slow client, and for a subscription being set up.
@Suite(.timeLimit(.minutes(1))) struct LiveOutboundQueueTests {
    private func position(_ device: String, _ sequence: Int, topic: Int = 1) -> LiveFrame {
        LiveFrame(
            topic: topic,
            deviceID: device,
            timestamp: Int64(sequence),
            bytes: ByteBuffer(string: "\(topic):\(device):\(sequence)")
        )
    }

    private func control(_ name: String) -> ByteBuffer { ByteBuffer(string: name) }

    /// Everything waiting, as `topic:device:sequence` and control names, first first.
    private func drain(_ queue: inout LiveOutboundQueue) -> [String] {
        var taken: [String] = []
        while let element = queue.popFirst() {
            switch element {
            case .control(let bytes): taken.append(String(buffer: bytes))
            case .position(let position): taken.append(String(buffer: position.bytes))
            }
        }
        #expect(queue.isEmpty)
        #expect(queue.positionCount == 0)
        return taken
    }

    @Test func newestPerKeyReplacesTheWaitingPositionOfTheSameDeviceInItsPlace() {
        var queue = LiveOutboundQueue(capacity: 8, policy: .newestPerKey)
        #expect(queue.append(self.position("a", 1)) == .appended)
        #expect(queue.append(self.position("b", 2)) == .appended)
        #expect(queue.append(self.position("a", 3)) == .coalesced)
        #expect(queue.append(self.position("a", 1, topic: 2)) == .appended)  // another topic, another key
        #expect(queue.count == 3)
        #expect(self.drain(&queue) == ["1:a:3", "1:b:2", "2:a:1"])
    }

    @Test func keepAllUntilFullKeepsEveryPositionUntilTheCapacity() {
        var queue = LiveOutboundQueue(capacity: 3, policy: .keepAllUntilFull)
        #expect(queue.append(self.position("a", 1)) == .appended)
        #expect(queue.append(self.position("a", 2)) == .appended)
        #expect(queue.append(self.position("b", 3)) == .appended)
        #expect(queue.append(self.position("b", 4)) == .coalesced)  // full: b's newest replaces b's waiting one
        #expect(queue.append(self.position("c", 5)) == .droppedOldest)
        #expect(self.drain(&queue) == ["1:a:2", "1:b:4", "1:c:5"])
    }

    @Test func aQueueFullOfOtherDevicesDropsTheOldestPosition() {
        var queue = LiveOutboundQueue(capacity: 2, policy: .newestPerKey)
        _ = queue.append(self.position("a", 1))
        _ = queue.append(self.position("b", 2))
        #expect(queue.append(self.position("c", 3)) == .droppedOldest)
        #expect(queue.positionCount == 2)
        #expect(queue.append(self.position("b", 4)) == .coalesced)
        #expect(self.drain(&queue) == ["1:b:4", "1:c:3"])
    }

    @Test func controlMessagesAreNeverDroppedAndNoPositionOvertakesOne() {
        var queue = LiveOutboundQueue(capacity: 2, policy: .newestPerKey)
        _ = queue.append(self.position("a", 1))
        queue.append(control: self.control("unsubscribed"))
        queue.append(control: self.control("subscribed"))
        // a's waiting position is before the control messages: the new one waits after them.
        #expect(queue.append(self.position("a", 2)) == .appended)
        #expect(queue.append(self.position("a", 3)) == .coalesced)
        #expect(queue.append(self.position("b", 4)) == .droppedOldest)  // a:1, not a control message
        #expect(queue.append(self.position("c", 5)) == .droppedOldest)  // a:3
        #expect(self.drain(&queue) == ["unsubscribed", "subscribed", "1:b:4", "1:c:5"])
    }

    @Test func droppedPositionsBehindAControlMessageDoNotPileUp() {
        var queue = LiveOutboundQueue(capacity: 4, policy: .newestPerKey)
        queue.append(control: self.control("subscribed"))
        for sequence in 0..<1000 { _ = queue.append(self.position("d\(sequence)", sequence)) }
        #expect(queue.positionCount == 4)
        #expect(queue.count == 5)
        // Coalescing still finds the survivors after the compactions.
        #expect(queue.append(self.position("d998", 1000)) == .coalesced)
        #expect(self.drain(&queue) == ["subscribed", "1:d996:996", "1:d997:997", "1:d998:1000", "1:d999:999"])
    }

    @Test func positionsTakenOutNoLongerCoalesce() {
        var queue = LiveOutboundQueue(capacity: 4, policy: .newestPerKey)
        _ = queue.append(self.position("a", 1))
        #expect(self.drain(&queue) == ["1:a:1"])
        #expect(queue.append(self.position("a", 2)) == .appended)
        #expect(queue.append(self.position("a", 3)) == .coalesced)
        queue.removeAll()
        #expect(queue.isEmpty)
        #expect(queue.append(self.position("a", 4)) == .appended)
        #expect(self.drain(&queue) == ["1:a:4"])
    }
}
