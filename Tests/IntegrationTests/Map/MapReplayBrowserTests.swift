import Foundation
import Stages
import Testing

/// The map page's replay in headless chromium against the real `flowrun`, the CMS stand-in and the simulator's
/// demo race, stored first: played from the event's start at 60×, the play head reaches the event's last stored
/// position and the standings then shown are `flowrun timing standings`'; then, the race going on, a replay
/// playing into the end of what was stored catches up with what is stored since. Every wait polls the page's
/// state.
extension Integration.MapPageBrowserTests {
    @Test func replayAt60xReachesTheFinish_withTheStandingsAtTheEnd_thenLiveAgain() async throws {
        try await TestWorld.run { world in
            try await world.loadDemoRegistry(devices: Self.racers)
            try await RunningCMSStub.run { cms in
                cms.stub.setListedEvents([.init(id: Self.race, name: "Demo race")])
                let livePort = try await freePort()
                let config = try world.writeMapConfigurationFile(livePort: livePort, cms: cms.url)
                let flowrun = try FlowrunProcess(configuration: config)
                // 1,000 s of the race (a finish at about 12 minutes) for 9 devices, appended as fast as it goes:
                // about 17 s of replay at 60×.
                let simulator = try Self.simulate(world, rate: 1000, duration: 9)
                let browser = try await Chromium.launch()
                do {
                    #expect(await simulator.waitForExit() == 0, "simulator:\n\(simulator.output)")
                    try await Self.waitUntilStoredAndTimed(world)
                    try await Self.replay(browser, world, config: config, origin: "http://127.0.0.1:\(livePort)")
                    #expect(browser.devTools.problems.isEmpty, "console errors: \(browser.devTools.problems)")
                } catch {
                    await Self.abandon(flowrun, simulator, browser)
                    throw error
                }
                await Self.finish(flowrun, browser)
            }
        }
    }

    /// Every entry of the stream stored (durable-write) and timed (race-timing): the crossings table is final.
    private static func waitUntilStoredAndTimed(_ world: TestWorld) async throws {
        try await world.eventually("every position stored and timed", within: .seconds(180)) {
            let newest = try await world.redis.send(["XREVRANGE", RedisArgument(world.stream), "+", "-", "COUNT", "1"])
            guard let last = newest.array?.first?.array?.first?.string else { return false }
            let length = try await world.redis.send(["XLEN", RedisArgument(world.stream)]).integer ?? -1
            let rows = try await world.rowCount()
            let pending = try await world.pendingCount()
            let timed = try await world.lastDeliveredID(group: "race-timing")
            let timingPending = try await world.timingPendingCount()
            return rows == length && pending == 0 && timed == last && timingPending == 0
        }
    }

    private static func replay(_ browser: Chromium, _ world: TestWorld, config: String, origin: String) async throws {
        let page = try await browser.newPage()
        try await page.setCookie(name: "directus_session_token", value: "valid-browser", url: origin)
        try await page.navigate(origin + "/events/\(Self.race)")
        let devices = Self.racers + 1
        // Live first: the race is over, so the page's table is already the final one.
        let live = try await page.until("the page is live with every device, and the replay's span is known") {
            state in
            state.connection == "live" && state.markers.count == devices && state.replay.first != nil
                && state.replay.last != nil && !state.replay.active
        }
        try await Self.compareStandings(page, world, config: config)
        let final = try #require(try await page.mapState()).standings

        // The event's last stored non-faulty position, in ms (as the page shows times).
        let span = try await world.postgres.query(
            """
            SELECT floor(extract(epoch FROM min(ts)) * 1000)::bigint, floor(extract(epoch FROM max(ts)) * 1000)::bigint
            FROM positions
            WHERE NOT faulty AND device_id IN (
                SELECT dv.imei FROM entries e JOIN entry_devices ed ON ed.entry_id = e.id
                JOIN devices dv ON dv.id = ed.device_id WHERE e.event_id = $1::uuid)
            """,
            [Self.race]
        ).rows[0]
        let first = try #require(span[0].flatMap { Double($0) })
        let last = try #require(span[1].flatMap { Double($0) })
        #expect(live.replay.first == first && live.replay.last == last, "\(live.replay) vs \(first)…\(last)")

        // 60×, then play: from the event's first stored position.
        _ = try await page.evaluateString(
            """
            (() => { const speed = document.getElementById("replay-speed"); speed.value = "60";
              speed.dispatchEvent(new Event("change")); document.getElementById("replay-play").click(); return ""; })()
            """
        )
        let started = try await page.until("the replay plays at 60× from the start") { state in
            state.replay.active && state.replay.playing && state.replay.speed == 60 && state.replay.head != nil
        }
        #expect((started.replay.head ?? 0) < first + (last - first) / 4, "\(started.replay)")

        // Mid-replay: the markers drawn from the replay's positions, the standings as they stood then (nobody
        // has finished yet), a screenshot.
        let middle = try await page.until("the play head passes the middle of the race", within: .seconds(120)) {
            state in
            state.replay.playing && (state.replay.head ?? 0) > first + (last - first) / 2 && state.markers.count > 0
        }
        #expect(middle.mostCounted < 10, "standings mid-replay: \(middle.standings)")
        #expect(middle.standings != final, "the standings mid-replay are not the final ones")
        try await Self.saveScreenshot(page, name: "replay", moment: "mid-replay at 60×")

        // The end: the play head at the last stored position, the standings the final ones.
        let end = try await page.until("the replay reaches the event's last stored position", within: .seconds(180)) {
            state in state.replay.ended && !state.replay.playing
        }
        #expect(end.replay.head == last, "\(end.replay) vs \(last)")
        #expect(end.markers.count == devices)
        #expect(end.replay.text.contains("end"), "\(end.replay.text)")
        #expect(end.standings == final, "\(end.standings) vs \(final)")
        try await Self.compareStandings(page, world, config: config)

        // The slider back to a quarter of the race: the play head there, paused, every marker drawn again from
        // the positions before it, the standings as they stood then.
        let quarter = ((last - first) / 4).rounded()
        _ = try await page.evaluateString(
            """
            (() => { const slider = document.getElementById("replay-slider"); slider.value = "\(Int(quarter))";
              slider.dispatchEvent(new Event("input")); return ""; })()
            """
        )
        let back = try await page.until("the replay is back at a quarter of the race") { state in
            state.replay.active && !state.replay.playing && state.replay.head == first + quarter
                && state.replay.text.contains("paused") && state.markers.count == devices
        }
        #expect(back.mostCounted < end.mostCounted, "\(back.standings)")

        // Live again.
        _ = try await page.evaluateString(#"(() => { document.getElementById("replay-live").click(); return ""; })()"#)
        try await page.until("the page is live again") { state in
            !state.replay.active && state.connection == "live" && state.markers.count == devices
                && state.standings == final && state.replay.text == "live"
        }
        try await Self.catchUp(page, world, first: first, last: last)
    }

    /// The race goes on after a replay loaded everything stored: played into that end, the replay asks for
    /// what was stored since (the page's `resume`) and plays it, the slider's end moving with it, instead of
    /// stopping at the end it knew.
    private static func catchUp(_ page: ChromiumPage, _ world: TestWorld, first: Double, last: Double) async throws {
        // Paused 5 s of device time before the end, every stored position up to it loaded (at 60×).
        let target = Int(last - first) - 5_000
        _ = try await page.evaluateString(
            """
            (() => { const slider = document.getElementById("replay-slider"); slider.value = "\(target)";
              slider.dispatchEvent(new Event("input")); return ""; })()
            """
        )
        try await page.until("the replay is paused 5 s before the end, everything up to it loaded") { state in
            state.replay.active && !state.replay.playing && state.replay.head == first + Double(target)
                && state.replay.complete && !state.replay.loading && state.replay.last == last
        }

        // Then 10 s more of every device, where each one is (no jump), after the last stored position.
        let rows = try await world.postgres.query(
            "SELECT DISTINCT ON (device_id) device_id, latitude, longitude FROM positions ORDER BY device_id, ts DESC"
        ).rows
        let stored = try await world.rowCount()
        var entries: [(deviceID: String, payload: String)] = []
        for second in 1...10 {
            let ts = Timestamp.format(Int64(last) * 1_000 + Int64(second) * 1_000_000, precision: .milliseconds)
            for row in rows {
                let (device, latitude, longitude) = (row[0] ?? "", row[1] ?? "0", row[2] ?? "0")
                entries.append(
                    (
                        device,
                        #"{"device_id":"\#(device)","timestamp":"\#(ts)","latitude":\#(latitude),"#
                            + #""longitude":\#(longitude),"speed":0,"satellites":9}"#
                    )
                )
            }
        }
        try await world.append(entries)
        try await world.eventually("the race's new positions stored", within: .seconds(60)) {
            try await world.rowCount() == stored + entries.count
        }
        let newest = last + 10_000
        try await page.until("the page has them live") { state in state.replay.liveNewest == newest }

        // Played on at 60×: past the end it had, to the newest stored position, then the end.
        _ = try await page.evaluateString(#"(() => { document.getElementById("replay-play").click(); return ""; })()"#)
        let caughtUp = try await page.until("the replay catches up with what was stored since", within: .seconds(60)) {
            state in state.replay.last == newest && state.replay.head == newest && !state.replay.playing
        }
        #expect(caughtUp.replay.ended && caughtUp.replay.text.contains("end"), "\(caughtUp.replay)")
    }
}
