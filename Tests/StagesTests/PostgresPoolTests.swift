import Flow
import Testing

@testable import Stages

/// Lending connections; none is used here, so no server is needed (a connection connects on first use).
@Suite(.timeLimit(.minutes(1))) struct PostgresPoolTests {
    @Test func allLent_aCancelledWaiterStopsWaiting_andTheNextOneGetsTheConnection() async throws {
        let pool = PostgresPool(url: "postgresql://nobody@127.0.0.1:1/none", size: 1)
        let hold = SetOnce<Void>()
        let lent = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await pool.withConnection { _ in
                lent.continuation.yield()
                try await hold.wait()
            }
        }
        for await _ in lent.stream { break }  // the only connection is lent
        let cancelled = Task { try await pool.withConnection { _ in "got one" } }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let next = Task { try await pool.withConnection { _ in "got one" } }
        hold.set(())
        try await holder.value
        #expect(try await next.value == "got one")
    }
}
