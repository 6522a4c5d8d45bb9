import CoreMetrics
import Logging
import Synchronization

/// The events race-timing times, held in memory and refreshed from the registry every ``refreshInterval``
/// (the cadence of the device → events map).
///
/// Each load that finds an invalid course logs it with its reason (once per refresh) and exports the count:
/// `flowrun_timing_courses_invalid` (gauge), beside `flowrun_timing_events` (gauge: events timed) and
/// `flowrun_timing_registry_refresh_failures_total`. A failed refresh keeps the previous events.
///
/// - Important: ``current`` may be read from any task: a load builds the new ``TimedEvents`` outside the
///   mutex and swaps it in whole with a new ``version``, so a reader sees the old events or the new ones.
public final class TimedEventsRegistry: Sendable {
    public let refreshInterval: Duration
    private let reader: any TimedEventsReader
    private let state = Mutex<(version: Int, events: TimedEvents)>((0, .none))
    private let logger: Logger
    private let timed: Gauge
    private let invalid: Gauge
    private let failures: Counter

    public init(
        reader: any TimedEventsReader,
        refresh: Duration,
        logger: Logger,
        metricsFactory: any MetricsFactory
    ) {
        precondition(refresh > .zero, "the registry's refresh interval must be > 0")
        self.reader = reader
        self.refreshInterval = refresh
        self.logger = logger
        self.timed = Gauge(label: "flowrun_timing_events", factory: metricsFactory)
        self.invalid = Gauge(label: "flowrun_timing_courses_invalid", factory: metricsFactory)
        self.failures = Counter(label: "flowrun_timing_registry_refresh_failures_total", factory: metricsFactory)
    }

    /// The events as last loaded, and a version that changes with every successful load (0: none yet).
    public var current: (version: Int, events: TimedEvents) {
        self.state.withLock { $0 }
    }

    /// Reads the registry and makes it current; logs every invalid course. Throws when it cannot be read.
    @discardableResult
    public func load() async throws -> TimedEvents {
        let events = try await self.reader.timedEvents()
        for (event, error) in events.invalid.sorted(by: { $0.key < $1.key }) {
            self.logger.warning("course not timed", metadata: ["event": "\(event)", "reason": "\(error)"])
        }
        self.state.withLock { $0 = ($0.version + 1, events) }
        self.timed.record(events.events.count)
        self.invalid.record(events.invalid.count)
        return events
    }

    /// Loads every ``refreshInterval`` until cancelled; a failure logs a warning, counts, and keeps the
    /// events loaded before.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await self.load()
            } catch is CancellationError {
                return
            } catch {
                self.failures.increment()
                self.logger.warning(
                    "cannot refresh the timed events; keeping the previous ones",
                    metadata: ["error": "\(error)"]
                )
            }
            do { try await Task.sleep(for: self.refreshInterval) } catch { return }
        }
    }
}
