import Foundation
import Stages
import Testing

/// The live map page (`/` on the live port) in Debian's headless chromium, driven over the DevTools protocol,
/// against the real `flowrun` binary (durable-write, live-broadcast, race-timing), the CMS stand-in and
/// `flowrun simulate --course demo`. Every wait is a condition polled through `Runtime.evaluate` with a
/// generous deadline. Each run saves a screenshot mid-race in `.build/screenshots/`.
extension Integration {
    @Suite struct MapPageBrowserTests {
        static let race = "00000000-0000-4000-8000-00000000d001"
        static let sprint = "00000000-0000-4000-8000-00000000d002"
        static let racers = 8

        @Test func theDemoRaceMovesOnTheMap_standingsMatchTheTable_restartAndSignInRecover() async throws {
            try await TestWorld.run { world in
                try await world.loadDemoRegistry(devices: Self.racers)
                try await RunningCMSStub.run { cms in
                    cms.stub.setListedEvents([
                        .init(id: Self.sprint, name: "Demo sprint"), .init(id: Self.race, name: "Demo race"),
                    ])
                    let livePort = try await freePort()
                    let config = try world.writeMapConfigurationFile(livePort: livePort, cms: cms.url)
                    var flowrun = try FlowrunProcess(configuration: config)
                    let simulator = try Self.simulate(world, rate: 60, duration: 150)
                    let browser = try await Chromium.launch()
                    do {
                        let (page, recovered) = try await Self.drive(
                            browser,
                            world,
                            &flowrun,
                            config: config,
                            livePort: livePort
                        )
                        #expect(await simulator.waitForExit() == 0, "simulator:\n\(simulator.output)")
                        try await Self.compareStandings(page, world, config: config)
                        let after = browser.devTools.problems.dropFirst(recovered)
                        #expect(after.isEmpty, "console errors after recovering: \(Array(after))")
                    } catch {
                        await Self.abandon(flowrun, simulator, browser)
                        throw error
                    }
                    await Self.finish(flowrun, browser)
                }
            }
        }

        /// After a failure: kills flowrun and the simulator, closes the browser, records flowrun's output.
        static func abandon(_ flowrun: FlowrunProcess, _ simulator: FlowrunProcess, _ browser: Chromium) async {
            simulator.kill(SIGKILL)
            flowrun.kill(SIGKILL)
            await browser.close()
            Issue.record("flowrun's output:\n\(flowrun.output)")
        }

        /// At the end: closes the browser, then stops flowrun gracefully (SIGTERM), which exits 0.
        static func finish(_ flowrun: FlowrunProcess, _ browser: Chromium) async {
            await browser.close()
            flowrun.kill(SIGTERM)
            #expect(await flowrun.waitForExit() == 0, "flowrun's output:\n\(flowrun.output)")
        }

        /// `flowrun simulate --course demo` with the suite's racers into `world`'s stream: `rate` entries a second
        /// for `duration` seconds (`--pace rate`: device time ends about now), seeded.
        static func simulate(_ world: TestWorld, rate: Int, duration: Int) throws -> FlowrunProcess {
            try FlowrunProcess(arguments: [
                "simulate", "--course", "demo", "--devices", "\(Self.racers)", "--stream", world.stream,
                "--redis-url", world.servers.redisURL, "--pace", "rate", "--rate", "\(rate)", "--duration",
                "\(duration)", "--seed", "15", "--quiet",
            ])
        }

        /// Markers, standings and a screenshot; then flowrun restarted; then a bad cookie, then a good one again.
        private static func drive(
            _ browser: Chromium,
            _ world: TestWorld,
            _ flowrun: inout FlowrunProcess,
            config: String,
            livePort: Int
        ) async throws -> (page: ChromiumPage, recovered: Int) {
            let origin = "http://127.0.0.1:\(livePort)"
            let running = flowrun
            try await world.eventually("flowrun's live server listens", within: .seconds(120)) {
                running.output.contains("live server listening")
            }
            let page = try await browser.newPage()
            try await page.setCookie(name: "directus_session_token", value: "valid-browser", url: origin)

            // The picker lists the events the user may watch (by name); the race's own URL opens it.
            try await page.navigate(origin + "/")
            try await page.until("the picker lists both demo events") { state in
                state.events == [Self.race, Self.sprint] && state.connection == "live"
            }
            try await page.navigate(origin + "/events/\(Self.race)")

            // A marker per device (the racers and the first one's spare), labelled with its entry's name; the
            // course's three places (the lap course repeats its gates: start/laps/finish, split 1, split 2).
            let devices = Self.racers + 1
            let first = try await page.until("a marker for each of the \(devices) devices, and the course") { state in
                state.markers.count == devices && state.gates == 3 && state.connection == "live"
                    && !state.scale.isEmpty
            }
            #expect(first.markers.allSatisfy { $0.label.hasPrefix("Racer ") }, "\(first.markers)")
            #expect(first.tiles.isEmpty && first.attribution.isEmpty, "no map_tiles, no tiles: \(first.tiles)")
            try await page.until("every marker moves and none is grey") { state in
                state.markers.count == devices && state.markers.allSatisfy { !$0.stale }
                    && state.places.allSatisfy { first.places[$0.key] != $0.value }
            }
            try await page.until("the standings fill as gates are crossed") { state in
                state.standings.count == Self.racers && state.mostCounted >= 3
            }
            try await Self.saveScreenshot(page, name: "map", moment: "mid-race")
            #expect(browser.devTools.problems.isEmpty, "console errors: \(browser.devTools.problems)")

            // flowrun restarted: the page sees the socket go, reconnects and recovers from the new snapshot.
            let outage = browser.devTools.problems.count
            flowrun.kill(SIGTERM)
            #expect(await flowrun.waitForExit() == 0, "flowrun's output:\n\(flowrun.output)")
            try await page.until("the page shows the lost connection") { $0.connection != "live" }
            flowrun = try FlowrunProcess(configuration: config)
            let restarted = try await page.until("the page is live again after the restart", within: .seconds(120)) {
                state in state.connection == "live" && state.markers.count == devices
            }
            try await page.until("the markers move again") { state in
                state.places.allSatisfy { restarted.places[$0.key] != $0.value } && state.standings.count == Self.racers
            }

            // A bad cookie: the page says to sign in; with a session again it recovers by itself.
            try await page.setCookie(name: "directus_session_token", value: "expired", url: origin)
            try await page.navigate(origin + "/events/\(Self.race)")
            try await page.until("the page asks to sign in to the CMS") { state in
                state.connection == "signin" && state.notice.contains("Sign in to the CMS")
            }
            try await page.setCookie(name: "directus_session_token", value: "valid-browser", url: origin)
            try await page.until("signed in again, the page is live by itself", within: .seconds(120)) { state in
                state.connection == "live" && state.markers.count == devices && state.notice.isEmpty
            }
            let during = browser.devTools.problems.dropFirst(outage)
            #expect(
                during.allSatisfy { $0.kind == "log:network" },
                "only the refused requests of the restart and the 401 are logged: \(Array(during))"
            )
            return (page, browser.devTools.problems.count)
        }

        /// Once the race is over, the page's table is `flowrun timing standings`' table.
        static func compareStandings(_ page: ChromiumPage, _ world: TestWorld, config: String) async throws {
            var printed: [[String]] = []
            var shown: [[String]] = []
            try await world.eventually("the page's standings equal flowrun timing standings", within: .seconds(120)) {
                let command = try FlowrunProcess(arguments: ["timing", "standings", "--event", Self.race, config])
                guard await command.waitForExit() == 0 else { return false }
                printed = standingsRows(command.output)
                shown = try await page.mapState()?.standings ?? []
                return !printed.isEmpty && printed == shown
            }
            #expect(printed.contains { $0.count > 2 && $0[2] == "10/10" }, "someone finished: \(printed)")
        }

        /// Saves a screenshot as `.build/screenshots/<name>-<UTC time>.png` and prints where.
        static func saveScreenshot(_ page: ChromiumPage, name: String, moment: String) async throws {
            let png = try await page.screenshot()
            let directory = Servers.repository.appendingPathComponent(".build/screenshots")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let file = directory.appendingPathComponent("\(name)-\(formatter.string(from: Date())).png")
            try png.write(to: file)
            print("map page screenshot \(moment): \(file.path)")
        }
    }
}

extension ChromiumPage {
    /// Polls the page's state until `condition` holds (a liveness guard: 60 s unless told); returns that state.
    @discardableResult
    func until(
        _ what: String,
        within limit: Duration = .seconds(60),
        _ condition: (MapState) -> Bool
    ) async throws -> MapState {
        let start = ContinuousClock.now
        var last: MapState?
        while true {
            if let state = try? await self.mapState() {
                last = state
                if condition(state) { return state }
            }
            if start.duration(to: .now) > limit {
                let seen = last.map {
                    "connection \($0.connection), \($0.markers.count) markers, notice '\($0.notice)', standings \($0.standings)"
                }
                throw HarnessError("gave up waiting: \(what); last seen: \(seen ?? "no page state")")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

extension TestWorld {
    /// `scripts/demo-registry.sql` in this world's database: "Demo race" with `devices` racers (and the first
    /// one's spare tracker) and its course, "Demo sprint".
    func loadDemoRegistry(devices: Int) async throws {
        let script = Servers.repository.appendingPathComponent("scripts/demo-registry.sql").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID()).log").path
        let psql = try ChildProcess(
            "/usr/bin/psql",
            [self.databaseURL, "-q", "-v", "ON_ERROR_STOP=1", "-v", "devices=\(devices)", "-f", script],
            outputFile: output
        )
        let status = await psql.exitStatus()
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        guard status == 0 else { throw HarnessError("psql -f \(script) exited \(status):\n\(log)") }
    }

    /// A `pipelines.yaml` with durable-write, live-broadcast (on `livePort`, asking `cms`) and race-timing on this
    /// world's streams; `live` holds more of live-broadcast's settings, a `key: value` a line.
    func writeMapConfigurationFile(livePort: Int, cms: URL, live: [String] = []) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-map-\(self.database).yaml")
        try """
        instance: map-test
        http:
          port: 0
        redis:
          url: \(self.servers.redisURL)
        postgres:
          url: \(self.databaseURL)
        pipelines:
          durable-write:
            stream: \(self.stream)
            group: \(self.group)
            block: 100ms
          live-broadcast:
            enabled: true
            stream: \(self.stream)
            timing_stream: \(self.crossingsStream)
            port: \(livePort)
            cms_url: \(cms.absoluteString)
            block: 100ms\(live.map { "\n    \($0)" }.joined())
          race-timing:
            enabled: true
            stream: \(self.stream)
            crossings_stream: \(self.crossingsStream)
            block: 100ms
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
