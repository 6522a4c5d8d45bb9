import Flow
import FlowTesting
import Synchronization

/// A counter several tasks bump.
final class Counter: Sendable {
    private let value = Mutex(0)

    @discardableResult
    func increment(by amount: Int = 1) -> Int {
        self.value.withLock { value in
            value += amount
            return value
        }
    }

    func decrement() {
        self.value.withLock { $0 -= 1 }
    }

    var current: Int { self.value.withLock { $0 } }
}

/// Records what stages saw, in the order they saw it.
final class Recorder<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])

    func record(_ item: Item) {
        self.items.withLock { $0.append(item) }
    }

    var all: [Item] { self.items.withLock { $0 } }
}

/// Holds tasks until opened; once open, stays open.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = self.state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let isOpen = self.state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if isOpen { continuation.resume() }
        }
    }
}

/// Waits until a number another task is driving stops changing (it is blocked), then returns it.
///
/// Used only where the property under test is that something *stops*; the assertion is on the value,
/// never on time.
func settledValue(of read: () -> Int) async throws -> Int {
    var last = read()
    var unchanged = 0
    for _ in 0..<2_000 {
        try await Task.sleep(for: .milliseconds(5))
        let now = read()
        unchanged = now == last ? unchanged + 1 : 0
        last = now
        if unchanged >= 20 { return now }
    }
    return last
}

struct Boom: Error, Equatable, CustomStringConvertible {
    var item: Int
    var description: String { "boom on \(self.item)" }
}
