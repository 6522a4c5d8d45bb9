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
    private let opened = SetOnce<Void>()

    func open() {
        self.opened.set(())
    }

    /// Returns once opened, or when the waiting task is cancelled.
    func wait() async {
        _ = try? await self.opened.wait()
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
