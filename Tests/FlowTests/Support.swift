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

/// Returns once `condition` holds, checking it again after each short pause.
///
/// The pause only spaces the checks: the outcome is decided by the condition (an explicit signal such as a
/// channel's suspended producer), never by how long it took. The suite's time limit bounds the wait.
func waitUntil(_ condition: () -> Bool) async throws {
    while !condition() {
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct Boom: Error, Equatable, CustomStringConvertible {
    var item: Int
    var description: String { "boom on \(self.item)" }
}
