import ServiceLifecycle

/// The loop of a service that measures something in rounds (``ConsumerLag``, ``PositionsSize``).
enum PollingRounds {
    /// Runs `round`, waits `interval`, and again, until a graceful shutdown or cancellation.
    static func run(every interval: Duration, _ round: @escaping @Sendable () async -> Void) async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await round()
                try await Task.sleep(for: interval)
            }
        }
    }
}
