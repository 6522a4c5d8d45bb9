import CoreMetrics
import Logging
import ServiceLifecycle
import Stages

/// The size of the `positions` table per chunk state, off the hot path: a round every ``interval`` reads
/// ``Stages/PositionsChunks`` on a connection of its own (`ops-size`) and sets
///
/// | metric | labels | meaning |
/// |---|---|---|
/// | `flowrun_positions_bytes` | `state`: `compressed`, `uncompressed` | bytes on disk of the chunks in that state |
/// | `flowrun_positions_chunks` | `state` | chunks in that state |
///
/// A plain table is one uncompressed chunk. Both states are always set, 0 when there are none, so that a
/// dashboard's ratio has both sides.
///
/// - Important: A round never throws: a failed read is logged at debug and the gauges keep their values
///   until the next round. ``run()`` ends on a graceful shutdown or cancellation and closes its connection.
public final class PositionsSize: Service, Sendable {
    /// Time between the end of one round and the start of the next.
    public let interval: Duration
    private let postgres: PostgresConnection
    private let logger: Logger
    private let bytes: [Bool: Gauge]
    private let chunks: [Bool: Gauge]

    /// The metric names.
    static let bytesMetric = "flowrun_positions_bytes"
    static let chunksMetric = "flowrun_positions_chunks"

    /// - Parameter interval: Time between rounds. Default: 1 minute (sizes change slowly; a round reads every
    ///   chunk's size).
    public init(
        postgresURL: String,
        interval: Duration = .seconds(60),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "flowrun.positions-size")
    ) {
        self.postgres = PostgresConnection(url: postgresURL, name: "ops-size")
        self.interval = interval
        self.logger = logger
        let state = { (compressed: Bool) in [("state", compressed ? "compressed" : "uncompressed")] }
        self.bytes = Dictionary(
            uniqueKeysWithValues: [true, false].map {
                ($0, Gauge(label: Self.bytesMetric, dimensions: state($0), factory: metricsFactory))
            }
        )
        self.chunks = Dictionary(
            uniqueKeysWithValues: [true, false].map {
                ($0, Gauge(label: Self.chunksMetric, dimensions: state($0), factory: metricsFactory))
            }
        )
    }

    /// One round: reads the sizes and sets the gauges.
    public func pollNow() async {
        let read: PositionsChunks
        do {
            read = try await PositionsChunks.read(self.postgres)
        } catch {
            self.logger.debug(
                "reading the sizes of positions failed; reading again next round",
                metadata: [
                    "error": "\(error)"
                ]
            )
            return
        }
        self.bytes[true]?.record(read.compressedBytes)
        self.bytes[false]?.record(read.uncompressedBytes)
        self.chunks[true]?.record(read.compressedChunks)
        self.chunks[false]?.record(read.uncompressedChunks)
    }

    /// Polls every ``interval`` until a graceful shutdown or cancellation, then closes the connection.
    public func run() async throws {
        await PollingRounds.run(every: self.interval) { await self.pollNow() }
        await self.postgres.close()
    }
}
