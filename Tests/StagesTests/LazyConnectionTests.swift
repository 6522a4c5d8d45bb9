import Testing

@testable import Stages

/// A connection made and never used costs no thread and opens no socket: what lets `flowrun check` build
/// every pipeline to list its stages, and a failed pipeline be built again to restart it.
@Suite(.timeLimit(.minutes(1))) struct LazyConnectionTests {
    @Test func redisConnection_startsItsThreadOnlyWithItsFirstCommand() async throws {
        let redis = try RedisConnection(url: "redis://127.0.0.1:1", name: "lazy")
        #expect(!redis.hasStartedThread)
        #expect(!(await redis.isConnected))  // the first call: runs on the connection's thread
        #expect(redis.hasStartedThread)
        await redis.close()
    }

    @Test func postgresConnection_startsItsThreadOnlyWithItsFirstStatement() async throws {
        let postgres = PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none", name: "lazy")
        #expect(!postgres.hasStartedThread)
        await #expect(throws: PostgresError.self) { try await postgres.connect() }
        #expect(postgres.hasStartedThread)
        await postgres.close()
    }

    @Test func postgresPool_ofUnusedConnections_startsNoThread() {
        let pool = PostgresPool(url: "postgresql://nobody@127.0.0.1:1/none", size: 3)
        #expect(pool.connections.allSatisfy { !$0.hasStartedThread })
    }
}
