/// The state of one ``TapSubscription``, as a pure value: its bounded buffer of rendered items, its limit,
/// what it dropped, and the reader waiting for it.
///
/// It never takes a lock and never resumes a continuation: every event returns what ``TapSubscription``
/// must do after releasing its lock.
///
/// Invariants:
/// - `lines.count <= capacity`: an item offered while the buffer is full is dropped and counted, never
///   waited for.
/// - Items beyond the limit are not wanted, so they are not counted as dropped.
/// - A waiting reader implies an empty buffer and nothing dropped since it last took.
/// - Once ended, nothing more is taken; what is buffered is still handed out, then the end.
struct TapSubscriptionStateMachine {
    typealias Reader = UnsafeContinuation<TapSubscription.Chunk?, Never>

    let capacity: Int
    /// Items still wanted under the limit; nil: no limit.
    private var remaining: Int?
    private var lines: [String] = []
    private var droppedSinceTaken = 0
    private(set) var taken = 0
    private(set) var dropped = 0
    private(set) var end: TapSubscription.End?
    private var reader: Reader?

    init(capacity: Int, limit: Int?) {
        precondition(capacity >= 1, "a tap's buffer holds at least one item (got \(capacity))")
        precondition(limit.map { $0 >= 1 } ?? true, "a tap's limit is at least one item (got \(limit ?? 0))")
        self.capacity = capacity
        self.remaining = limit
    }

    /// How many of `count` items offered now it would take: room in the buffer, and the limit.
    func wants(_ count: Int) -> Int {
        guard self.end == nil else { return 0 }
        return min(count, self.capacity - self.lines.count, self.remaining ?? .max)
    }

    enum OfferAction {
        case none
        case resume(Reader, TapSubscription.Chunk?)
    }

    /// `count` items left the stage; `rendered` holds the first of them as JSON lines (those some
    /// subscriber had room for). Takes what fits, counts the rest as dropped.
    mutating func offer(_ rendered: [String], of count: Int) -> OfferAction {
        guard self.end == nil else { return .none }
        let wanted = min(count, self.remaining ?? .max)
        let accepted = min(wanted, rendered.count, self.capacity - self.lines.count)
        self.lines.append(contentsOf: rendered.prefix(accepted))
        self.taken += accepted
        self.droppedSinceTaken += wanted - accepted
        self.dropped += wanted - accepted
        if let remaining = self.remaining {
            self.remaining = remaining - accepted
            if remaining - accepted == 0 { self.end = .limitReached }
        }
        guard let reader = self.reader, !self.lines.isEmpty || self.droppedSinceTaken > 0 || self.end != nil else {
            return .none
        }
        self.reader = nil
        return .resume(reader, self.takeChunk())
    }

    enum NextAction {
        case deliver(TapSubscription.Chunk?)
        case suspend
    }

    /// The reader asks for what is buffered.
    mutating func next() -> NextAction {
        if !self.lines.isEmpty || self.droppedSinceTaken > 0 { return .deliver(self.takeChunk()) }
        if self.end != nil { return .deliver(nil) }
        return .suspend
    }

    /// Called under the lock from inside the reader's continuation closure.
    mutating func readerWillSuspend(_ reader: Reader, isCancelled: Bool) -> NextAction {
        switch self.next() {
        case .deliver(let chunk):
            return .deliver(chunk)
        case .suspend:
            if isCancelled {
                self.end = self.end ?? .finished
                return .deliver(nil)
            }
            precondition(self.reader == nil, "a tap subscription has exactly one reader")
            self.reader = reader
            return .suspend
        }
    }

    /// Ends the subscription (a no-op once ended); a waiting reader gets the end.
    mutating func finish(_ end: TapSubscription.End) -> Reader? {
        if self.end == nil { self.end = end }
        defer { self.reader = nil }
        return self.reader
    }

    private mutating func takeChunk() -> TapSubscription.Chunk {
        let chunk = TapSubscription.Chunk(items: self.lines, dropped: self.droppedSinceTaken)
        self.lines = []
        self.droppedSinceTaken = 0
        return chunk
    }
}
