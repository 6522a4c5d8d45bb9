/// A bounded least-recently-used map from device id to `State`, as an LRU list in arrays: `nodes[head]` is the
/// most recently used, `nodes[tail]` the next to evict. Not thread-safe: its owner guards it
/// (``DeviceStateStore``, ``FaultJudge``).
struct LRU<State: Sendable>: Sendable {
    struct Node: Sendable {
        var device: String
        var state: State
        var previous: Int
        var next: Int
    }

    let capacity: Int
    var nodes: [Node] = []
    private var index = DeviceIndex()
    var head = -1
    var tail = -1
    var evictions = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// How many devices are held.
    var count: Int { self.index.count }

    /// The slot of `device`, if held.
    func slot(of device: String) -> Int? {
        self.nodes.withUnsafeBufferPointer { nodes in self.index.slot(of: device) { nodes[$0].device } }
    }

    /// Adds `device` as the most recently used, evicting the least recently used when full; its slot.
    @discardableResult
    mutating func insert(_ device: String, _ state: State) -> Int {
        let slot: Int
        if self.nodes.count < self.capacity {
            slot = self.nodes.count
            self.nodes.append(Node(device: device, state: state, previous: -1, next: -1))
        } else {
            slot = self.tail
            self.unlink(slot)
            self.index.remove(self.nodes[slot].device, slot: slot)
            self.evictions += 1
            self.nodes[slot] = Node(device: device, state: state, previous: -1, next: -1)
        }
        self.index.insert(device, slot: slot)
        self.pushFront(slot)
        return slot
    }

    mutating func touch(_ slot: Int) {
        guard slot != self.head else { return }
        self.unlink(slot)
        self.pushFront(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (previous, next) = (self.nodes[slot].previous, self.nodes[slot].next)
        if previous >= 0 { self.nodes[previous].next = next } else { self.head = next }
        if next >= 0 { self.nodes[next].previous = previous } else { self.tail = previous }
    }

    private mutating func pushFront(_ slot: Int) {
        self.nodes[slot].previous = -1
        self.nodes[slot].next = self.head
        if self.head >= 0 { self.nodes[self.head].previous = slot }
        self.head = slot
        if self.tail < 0 { self.tail = slot }
    }
}
