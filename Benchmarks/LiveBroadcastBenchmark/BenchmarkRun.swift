import BenchmarkSupport
import BrowserSupport
import CMSStub
import Foundation
import Logging
import Stages

/// One run, step by step: database and registry, the CMS stub, flowrun, the clients, then the feeder and the
/// measured window. Holds what it started so that ``tearDown()`` can stop and remove it, also after a failure.
///
/// - Important: Use it from one task. Call ``tearDown()`` on every path.
final class BenchmarkRun {
    let options: BenchmarkOptions
    let environment: BenchmarkEnvironment
    let fleet: Fleet
    /// This run's own stream and database, named after the process.
    let stream = "livebench:\(getpid())"
    let databaseName = "flowrun_livebench_\(getpid())"

    private var redis: RedisConnection?
    private var feederRedis: RedisConnection?
    private var database: BenchmarkDatabase?
    private var cms: (stub: CMSStub, task: Task<Void, any Error>)?
    private var child: FlowrunChild?
    private var clients: BenchmarkClients?
    private var feeding: Task<[Int64], any Error>?
    private var browser: BrowserMeasurement?

    init(options: BenchmarkOptions, environment: BenchmarkEnvironment) {
        self.options = options
        self.environment = environment
        self.fleet = Fleet(events: options.events, devicesPerEvent: options.devices)
    }

    func run() async throws -> BenchmarkReport {
        let redis = try RedisConnection(url: self.environment.redisURL, name: "livebench-admin")
        self.redis = redis
        try await redis.send(["DEL", RedisArgument(self.stream)])
        say(
            "database \(self.databaseName): migrations, \(self.fleet.events) events × \(self.fleet.devicesPerEvent) devices"
        )
        let database = try await BenchmarkDatabase.create(
            serverURL: self.environment.postgresURL,
            name: self.databaseName,
            migrations: self.environment.migrations
        )
        self.database = database
        let eventIDs = try await database.createRegistry(of: self.fleet)

        var cmsLogger = Logger(label: "cms-stub")
        cmsLogger.logLevel = .critical  // its shutdown logs cut connections as errors; flowrun reports CMS trouble
        let stub = CMSStub(host: "127.0.0.1", port: 0, logger: cmsLogger)
        self.cms = (stub, Task { try await stub.run() })
        let cmsURL = try await stub.baseURL()

        let child = try FlowrunChild(
            settings: .init(
                binary: self.environment.flowrunBinary,
                migrations: self.environment.migrations,
                redisURL: self.environment.redisURL,
                postgresURL: database.url,
                stream: self.stream,
                port: try await freePort(),
                cmsURL: cmsURL.absoluteString,
                flushDelay: self.options.flushDelay
            )
        )
        self.child = child
        say("flowrun (pid \(child.pid)) starting on port \(child.settings.port), CMS stub at \(cmsURL)")
        try await child.waitUntilServing()
        try await child.waitForGroup(redis: redis)

        let reader = DeliveryReader(fleet: self.fleet, origin: .now)
        say("connecting \(self.options.clients) clients")
        let clients = try await BenchmarkClients.connect(
            count: self.options.clients,
            port: child.settings.port,
            eventIDs: eventIDs,
            reader: reader
        )
        self.clients = clients
        if self.options.browser {
            say("opening the map page of event 1 in headless chromium")
            self.browser = try await BrowserMeasurement.open(
                port: child.settings.port,
                eventID: eventIDs[0],
                reader: reader
            )
        }
        return try await self.measure(child: child, clients: clients, reader: reader, redis: redis)
    }

    /// Feeds through the warm-up and the window, reads the figures at both ends of the window, then waits for
    /// stragglers.
    private func measure(
        child: FlowrunChild,
        clients: BenchmarkClients,
        reader: DeliveryReader,
        redis: RedisConnection
    ) async throws -> BenchmarkReport {
        let feederRedis = try RedisConnection(url: self.environment.redisURL, name: "livebench-feeder")
        self.feederRedis = feederRedis
        let feeder = PositionFeeder(
            redis: feederRedis,
            stream: self.stream,
            fleet: self.fleet,
            rate: self.options.rate,
            reader: reader
        )
        let windowStart = ContinuousClock.now + self.options.warmUp
        let windowEnd = windowStart + self.options.duration
        say("feeding \(self.options.rate) positions/s: \(self.options.warmUp) warm-up, then \(self.options.duration)")
        self.feeding = Task { try await feeder.run(until: windowEnd) }

        try await Task.sleep(until: windowStart)
        try child.checkRunning(while: "warming up")
        var resources = BenchmarkReport.Resources()
        let cpuAtStart = (ProcessStatus.cpuSeconds(of: child.pid) ?? 0, ProcessStatus.cpuSeconds(of: getpid()) ?? 0)
        let machineAtStart = ProcessStatus.machineBusySeconds()
        resources.lagAtStart = try await ConsumerGroup.lag(
            redis: redis,
            stream: self.stream,
            group: child.settings.group
        )

        try await self.browser?.begin(profile: self.options.profile != nil)
        try await self.sleepSampling(until: windowEnd)
        resources.flowrunCPUSeconds = (ProcessStatus.cpuSeconds(of: child.pid) ?? 0) - cpuAtStart.0
        resources.benchmarkCPUSeconds = (ProcessStatus.cpuSeconds(of: getpid()) ?? 0) - cpuAtStart.1
        resources.machineBusySeconds = ProcessStatus.machineBusySeconds() - machineAtStart
        resources.lagAtEnd = try await ConsumerGroup.lag(redis: redis, stream: self.stream, group: child.settings.group)
        guard let sentAt = try await self.feeding?.value else { throw BenchmarkFailure("the feeder did not run") }
        try child.checkRunning(while: "being measured")

        // Stragglers: until every position sent (warm-up included) reached its clients, or the wait is over.
        let subscribers = self.fleet.subscribers(clients: self.options.clients)
        let due = sentAt.indices.reduce(0) { $0 + subscribers[self.fleet.event(of: $1 % self.fleet.deviceCount)] }
        let deadline = ContinuousClock.now + self.options.stragglers
        while clients.progress.deliveries.load(ordering: .relaxed) < due, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        resources.flowrunPeakKiB = ProcessStatus.peakResidentKiB(of: child.pid) ?? 0
        let window = reader.nanoseconds(at: windowStart)..<reader.nanoseconds(at: windowEnd)
        var report = BenchmarkReport(
            options: self.options,
            fleet: self.fleet,
            sentAt: sentAt,
            window: window,
            logs: clients.logs,
            resources: resources
        )
        if let browser = self.browser {
            try await browser.end(profile: self.options.profile)
            report.browser = BrowserReport(
                measurement: browser,
                sentAt: sentAt,
                window: window,
                positionsInWindow: sentAt.indices.filter { window.contains(sentAt[$0]) && self.watched($0) }.count,
                profile: self.options.profile
            )
        }
        return report
    }

    /// Sleeps until `end`; with the browser, reads its figures every second meanwhile and at `end`.
    private func sleepSampling(until end: ContinuousClock.Instant) async throws {
        guard let browser = self.browser else { return try await Task.sleep(until: end) }
        while ContinuousClock.now < end {
            try await Task.sleep(until: min(ContinuousClock.now + .seconds(1), end))
            try await browser.sample()
        }
    }

    /// Whether position `position` is of a device of event 1, the one the page watches.
    private func watched(_ position: Int) -> Bool {
        self.fleet.event(of: position % self.fleet.deviceCount) == 0
    }

    /// Stops the browser, flowrun, the clients and the CMS stub; drops the database and the stream. Idempotent.
    func tearDown() async {
        await self.browser?.close()
        self.browser = nil
        self.feeding?.cancel()
        _ = try? await self.feeding?.value
        self.feeding = nil
        await self.child?.stop()
        self.child = nil
        await self.clients?.close()
        self.clients = nil
        if let cms = self.cms {
            cms.stub.shutdown()
            _ = try? await cms.task.value
            self.cms = nil
        }
        await self.database?.drop()
        self.database = nil
        await self.feederRedis?.close()
        self.feederRedis = nil
        if let redis = self.redis {
            _ = try? await redis.send(["DEL", RedisArgument(self.stream)])
            await redis.close()
            self.redis = nil
        }
    }
}

/// A progress line on standard error (the report goes to standard output).
func say(_ text: String) {
    FileHandle.standardError.write(Data("live-broadcast-benchmark: \(text)\n".utf8))
}
