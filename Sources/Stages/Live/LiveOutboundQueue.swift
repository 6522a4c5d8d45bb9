import NIOCore

/// What waits for one WebSocket connection: position and timing frames (``LiveFrame``) and control messages
/// (`subscribed`, `unsubscribed`, `error`), in order, at most ``capacity`` frames.
///
/// Positions are keyed by (topic, device). The ``Policy`` says when a newer position of a key replaces the
/// one still waiting (coalescing): the connection's send queue, which only holds anything while the client is
/// behind, always coalesces; the buffer of a subscription waiting for its snapshot keeps every position
/// until it is full. When it is full and the key has nothing waiting, the oldest waiting position is
/// dropped (the oldest timing frame when no position waits). Timing frames (`crossing`,
/// `crossing-removed`) never coalesce, but count against the capacity like positions. Control messages are
/// never dropped, coalesced or counted against the capacity.
///
/// - Important: A replaced position keeps its place in line, so positions of one key leave in the order
///   they came. No position coalesces across a control message: one appended after an `unsubscribed` or
///   `subscribed` never overtakes it.
struct LiveOutboundQueue {
    /// When a newer position of a key replaces an older one still waiting.
    enum Policy: Sendable {
        /// Always: only the newest position per key waits (a client that is behind).
        case newestPerKey
        /// Only once ``LiveOutboundQueue/capacity`` positions wait (a subscription being set up).
        case keepAllUntilFull
    }

    /// What ``append(_:)`` did with a position.
    enum AppendOutcome: Equatable {
        /// It waits at the end of the line.
        case appended
        /// It replaced an older position of its key, which will not be sent.
        case coalesced
        /// It waits at the end of the line; the oldest waiting position was dropped to make room.
        case droppedOldest
    }

    enum Element {
        case control(ByteBuffer)
        /// A position or a timing frame (see ``LiveFrame/kind``).
        case position(LiveFrame)
    }

    struct Key: Hashable {
        var topic: Int
        var deviceID: String
    }

    private enum Slot {
        case control(ByteBuffer)
        case position(LiveFrame)
        /// A position dropped from the middle of the line, removed when it reaches the front.
        case dropped
    }

    /// How many positions may wait, ≥ 1.
    let capacity: Int
    let policy: Policy
    /// - Important: never starts with a `.dropped` slot, so the queue is empty exactly when it has no slot.
    private var slots = CircularBuffer<Slot>()
    /// The sequence number of `slots.first`; slot `n` of the line has number `firstSequence + n`.
    private var firstSequence = 0
    /// Key → sequence number of the position of that key that may still be replaced: the newest waiting one,
    /// unless a control message came after it.
    private var replaceable: [Key: Int] = [:]
    /// `.dropped` slots not at the front.
    private var droppedSlots = 0
    /// Positions and timing frames waiting.
    private(set) var positionCount = 0

    init(capacity: Int, policy: Policy) {
        precondition(capacity >= 1, "a live queue holds at least one position")
        self.capacity = capacity
        self.policy = policy
    }

    var isEmpty: Bool { self.slots.isEmpty }

    /// Control messages and positions waiting.
    var count: Int { self.slots.count - self.droppedSlots }

    /// Appends a control message; positions appended after it never replace ones before it.
    mutating func append(control bytes: ByteBuffer) {
        self.slots.append(.control(bytes))
        self.replaceable.removeAll(keepingCapacity: true)
    }

    /// Appends a position or timing frame, replacing or dropping an older one as the ``policy`` says (a
    /// timing frame never replaces one, and is never replaced).
    mutating func append(_ position: LiveFrame) -> AppendOutcome {
        let key = Key(topic: position.topic, deviceID: position.deviceID)
        let isFull = self.positionCount >= self.capacity
        if position.kind == .position, self.policy == .newestPerKey || isFull,
            let sequence = self.replaceable[key]
        {
            self.slots[self.slots.index(self.slots.startIndex, offsetBy: sequence - self.firstSequence)] =
                .position(position)
            return .coalesced
        }
        var outcome = AppendOutcome.appended
        if isFull {
            self.dropOldestPosition()
            outcome = .droppedOldest
        }
        if position.kind == .position { self.replaceable[key] = self.firstSequence + self.slots.count }
        self.slots.append(.position(position))
        self.positionCount += 1
        return outcome
    }

    /// Takes the first control message or position in line.
    mutating func popFirst() -> Element? {
        guard let slot = self.slots.popFirst() else { return nil }
        let sequence = self.firstSequence
        self.firstSequence += 1
        let element: Element
        switch slot {
        case .control(let bytes):
            element = .control(bytes)
        case .position(let position):
            self.positionCount -= 1
            let key = Key(topic: position.topic, deviceID: position.deviceID)
            if self.replaceable[key] == sequence { self.replaceable[key] = nil }
            element = .position(position)
        case .dropped:
            preconditionFailure("a live queue never starts with a dropped slot")
        }
        self.removeDroppedFront()
        return element
    }

    /// Forgets everything waiting.
    mutating func removeAll() {
        self.slots.removeAll()
        self.replaceable.removeAll()
        self.firstSequence = 0
        self.droppedSlots = 0
        self.positionCount = 0
    }

    /// Drops the oldest waiting position, or the oldest timing frame when no position waits.
    private mutating func dropOldestPosition() {
        let kind: LiveFrame.Kind =
            self.slots.contains { slot in
                if case .position(let frame) = slot { return frame.kind == .position }
                return false
            } ? .position : .timing
        var index = self.slots.startIndex
        while index != self.slots.endIndex {
            if case .position(let position) = self.slots[index], position.kind == kind {
                let sequence = self.firstSequence + self.slots.distance(from: self.slots.startIndex, to: index)
                let key = Key(topic: position.topic, deviceID: position.deviceID)
                if self.replaceable[key] == sequence { self.replaceable[key] = nil }
                self.slots[index] = .dropped
                self.droppedSlots += 1
                self.positionCount -= 1
                break
            }
            index = self.slots.index(after: index)
        }
        self.removeDroppedFront()
        // Dropped slots pile up behind a control message the client does not read; compacting once they
        // outnumber the capacity keeps the line's length bounded at amortised O(1) per append.
        if self.droppedSlots > self.capacity { self.compact() }
    }

    private mutating func removeDroppedFront() {
        while case .dropped = self.slots.first {
            self.slots.removeFirst()
            self.firstSequence += 1
            self.droppedSlots -= 1
        }
    }

    private mutating func compact() {
        var kept = CircularBuffer<Slot>(initialCapacity: self.slots.count - self.droppedSlots)
        var replaceable: [Key: Int] = [:]
        for (offset, slot) in self.slots.enumerated() {
            switch slot {
            case .dropped:
                continue
            case .position(let position):
                let key = Key(topic: position.topic, deviceID: position.deviceID)
                if self.replaceable[key] == self.firstSequence + offset {
                    replaceable[key] = self.firstSequence + kept.count
                }
            case .control:
                break
            }
            kept.append(slot)
        }
        self.slots = kept
        self.replaceable = replaceable
        self.droppedSlots = 0
    }
}
