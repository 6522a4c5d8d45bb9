import DequeModule
import Metrics

/// Runs a per-item stage with up to `limit` items in flight (``Concurrency``).
///
/// One coordinator loop owns all state; a reader task forwards input chunks and waits for demand
/// before reading the next one, and each item runs in its own child task. Everything reports to the
/// coordinator through one ``Mailbox``.
///
/// Invariants:
/// - At most `limit` items run at once; at most one per key in `perKey` mode, started in input order.
/// - `ordered` sends results in input order; the reorder buffer holds at most `limit` results.
/// - The next input chunk is read only when every item read so far has started or waits on a busy
///   key, and fewer than `max(limit, 64)` items wait on busy keys: memory stays bounded.
@usableFromInline
struct ConcurrentItemRunner<Input: Sendable, Output: Sendable> {
    let processor: ItemProcessor<Input, Output>
    let context: StageContext
    let deadLetter: Outbox<Failed<Input>>?

    @usableFromInline
    init(processor: ItemProcessor<Input, Output>, context: StageContext, deadLetter: Outbox<Failed<Input>>?) {
        self.processor = processor
        self.context = context
        self.deadLetter = deadLetter
    }

    private enum Event: Sendable {
        case input([Input])
        case inputEnded
        case inputFailed(any Error)
        case done(sequence: Int, key: Int?, Result<[Output], any Error>)
    }

    private struct Pending {
        var sequence: Int
        var item: Input
        var key: Int?
    }

    @usableFromInline
    func run(_ input: Inbox<Input>, _ output: Outbox<Output>) async throws {
        let concurrency = self.processor.options.concurrency
        let limit = concurrency.limit
        let events = Mailbox<Event>()
        let demand = Mailbox<Bool>()
        let processor = self.processor
        let context = self.context
        let deadLetter = self.deadLetter
        let timer = context.metrics.processing
        let busy = context.metrics.busy

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    while let chunk = try await input.next() {
                        events.post(.input(chunk))
                        if await demand.takeAll().isEmpty { return }  // cancelled
                    }
                    events.post(.inputEnded)
                } catch {
                    events.post(.inputFailed(error))
                }
            }

            var waiting: Deque<Pending> = []
            var ready: Deque<Pending> = []  // unblocked items of a key that just finished; they go first
            var blocked: [Int: Deque<Pending>] = [:]
            var blockedCount = 0
            var busyKeys: Set<Int> = []
            var reorder: [Int: [Output]] = [:]
            var nextSequence = 0
            var nextToSend = 0
            var running = 0
            var readerWaits = false
            var inputEnded = false

            func start(_ pending: Pending) {
                running += 1
                if let key = pending.key { busyKeys.insert(key) }
                group.addTask {
                    let began = ContinuousClock.now
                    let result: Result<[Output], any Error>
                    do {
                        result = .success(try await processor.process(pending.item, context, deadLetter))
                    } catch {
                        result = .failure(error)
                    }
                    let took = began.duration(to: .now)
                    timer.record(duration: took)
                    busy.increment(by: took / .seconds(1))
                    events.post(.done(sequence: pending.sequence, key: pending.key, result))
                }
            }

            while true {
                let batch = await events.takeAll()
                if batch.isEmpty { throw CancellationError() }
                var results: [Output] = []
                for event in batch {
                    switch event {
                    case .input(let chunk):
                        for item in chunk {
                            let key: Int?
                            if case .perKey(let keyOf) = concurrency.mode { key = keyOf(item) } else { key = nil }
                            waiting.append(Pending(sequence: nextSequence, item: item, key: key))
                            nextSequence += 1
                        }
                        readerWaits = true
                    case .inputEnded:
                        inputEnded = true
                    case .inputFailed(let error):
                        throw error
                    case .done(let sequence, let key, let result):
                        running -= 1
                        let items = try result.get()
                        if case .ordered = concurrency.mode {
                            reorder[sequence] = items
                            while let next = reorder.removeValue(forKey: nextToSend) {
                                results.append(contentsOf: next)
                                nextToSend += 1
                            }
                        } else {
                            results.append(contentsOf: items)
                        }
                        if let key {
                            if let next = blocked[key]?.popFirst() {
                                blockedCount -= 1
                                ready.append(next)  // the key stays busy: its next item is on its way
                            } else {
                                blocked[key] = nil
                                busyKeys.remove(key)
                            }
                        }
                    }
                }
                while running < limit {
                    if let next = ready.popFirst() {
                        start(next)
                    } else if let next = waiting.popFirst() {
                        if let key = next.key, busyKeys.contains(key) {
                            blocked[key, default: []].append(next)
                            blockedCount += 1
                        } else {
                            start(next)
                        }
                    } else {
                        break
                    }
                }
                if readerWaits && waiting.isEmpty && blockedCount < max(limit, 64) {
                    readerWaits = false
                    demand.post(true)
                }
                try await output.send(contentsOf: results)
                if inputEnded && running == 0 && waiting.isEmpty && ready.isEmpty && blockedCount == 0 { break }
            }
            try await group.waitForAllOrFirstError()
        }
    }
}
