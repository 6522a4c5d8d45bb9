import CoreMetrics
import Logging
import NIOCore
import Synchronization

/// Which race events each device (by IMEI) belongs to, held in memory for the live fan-out and refreshed
/// from the CMS's event registry (CONTRACT §3) every ``refreshInterval``.
///
/// A device belongs to an event when some entry of that event lists it:
///
/// ```sql
/// SELECT d.imei, e.event_id FROM devices d
/// JOIN entry_devices ed ON ed.device_id = d.id JOIN entries e ON e.id = ed.entry_id
/// ```
///
/// The registry tables (`devices`, `events`, `entries`, `entry_devices`) belong to the CMS, in the same
/// database: flowrun only reads them, and its migrations never create them.
///
/// Use: `try await load()` once at start (it throws, saying which tables are missing, when the registry is not
/// there), then `run()` in a task of its own to keep the map fresh. A failed refresh keeps the previous map,
/// logs a warning and counts in `flowrun_device_event_map_refresh_failures_total`.
///
/// Metrics: `flowrun_device_event_map_devices` (gauge: devices in at least one event),
/// `flowrun_device_event_map_refresh_seconds` (timer: each successful load),
/// `flowrun_device_event_map_refresh_failures_total` (counter).
///
/// - Important: ``events(of:)`` and ``map`` may be called from any task, as often as every position: they take
///   a mutex only to copy a reference to the current map. A load builds a new ``DeviceEventMap`` outside the
///   mutex and swaps it in whole, so a reader sees the old map or the new one, never a mix.
public final class DeviceEvents: Sendable {
    /// How long ``run()`` waits between refreshes.
    public let refreshInterval: Duration
    /// The refresh interval unless one is given: 30 s (`pipelines.live-broadcast.refresh` defaults to it).
    public static let defaultRefresh: Duration = .seconds(30)
    private let connection: PostgresConnection
    /// The current map; nil until the first successful load.
    private let current = Mutex<DeviceEventMap?>(nil)
    private let logger: Logger
    private let devices: Gauge
    private let refreshSeconds: CoreMetrics.Timer
    private let failures: Counter

    /// - Parameters:
    ///   - connection: The database holding the CMS's registry (usually the one `positions` is in). Used only by
    ///     loads, one at a time.
    ///   - refresh: How long ``run()`` waits between refreshes, > 0. Default: 30 s.
    public init(
        connection: PostgresConnection,
        refresh: Duration = DeviceEvents.defaultRefresh,
        logger: Logger = Logger(label: "flowrun.device-events"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        precondition(refresh > .zero, "the device → event map's refresh interval must be > 0")
        self.connection = connection
        self.refreshInterval = refresh
        self.logger = logger
        self.devices = Gauge(label: "flowrun_device_event_map_devices", factory: metricsFactory)
        self.refreshSeconds = CoreMetrics.Timer(
            label: "flowrun_device_event_map_refresh_seconds",
            factory: metricsFactory
        )
        self.failures = Counter(label: "flowrun_device_event_map_refresh_failures_total", factory: metricsFactory)
    }

    /// The current map (empty until the first successful load).
    public var map: DeviceEventMap {
        self.current.withLock { $0 } ?? .empty
    }

    /// The events `device` (an IMEI) belongs to: lowercase event ids, empty when none. O(1).
    public func events(of device: String) -> Set<String> {
        self.current.withLock { $0?.events(of: device) } ?? []
    }

    /// Reads the registry and makes its map the current one; on failure the current map is kept and the error
    /// thrown (a ``DeviceEventsError/Kind/registryMissing`` one when the tables are not there).
    @discardableResult
    public func load() async throws(DeviceEventsError) -> DeviceEventMap {
        let start = ContinuousClock.now
        let rows: PostgresRows
        do {
            rows = try await self.connection.query(
                """
                SELECT d.imei, e.event_id
                FROM devices d
                JOIN entry_devices ed ON ed.device_id = d.id
                JOIN entries e ON e.id = ed.entry_id
                """
            )
        } catch {
            throw DeviceEventsError(error)
        }
        let map = DeviceEventMap(
            pairs: rows.rows.lazy.compactMap { row in
                guard let device = row[0], let event = row[1] else { return nil }
                return (device: device, event: event)
            }
        )
        self.current.withLock { $0 = map }
        self.devices.record(map.deviceCount)
        self.refreshSeconds.recordNanoseconds(TimeAmount(start.duration(to: .now)).nanoseconds)
        return map
    }

    /// ``load()``, but a failure only logs a warning and counts; returns whether the map was refreshed.
    @discardableResult
    public func refresh() async -> Bool {
        do {
            let map = try await self.load()
            self.logger.debug("device → event map refreshed", metadata: ["devices": "\(map.deviceCount)"])
            return true
        } catch {
            self.failures.increment()
            self.logger.warning(
                "cannot refresh the device → event map; keeping the previous one",
                metadata: ["error": "\(error)", "devices": "\(self.map.deviceCount)"]
            )
            return false
        }
    }

    /// Refreshes the map every ``refreshInterval`` (at once first if no load has succeeded yet) until the
    /// calling task is cancelled, then returns.
    public func run() async {
        if self.current.withLock({ $0 == nil }) { await self.refresh() }
        while true {
            do {
                try await Task.sleep(for: self.refreshInterval)
            } catch {
                return
            }
            await self.refresh()
        }
    }
}
