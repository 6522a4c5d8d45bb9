import Foundation
import Stages
import Testing

/// `pipelines.live-broadcast.map_tiles`: the map page draws the course over a site's tile server's tiles, in
/// headless chromium against the real `flowrun`, the CMS stand-in and a tile server stand-in. Where the page
/// draws a gate and the tile it lays under it are checked against OpenStreetMap's tile numbering, computed
/// here independently of the page's projection.
extension Integration.MapPageBrowserTests {
    @Test func withMapTiles_theCourseIsDrawnOverTheSitesTiles_eachTileWhereItsPlaceIs() async throws {
        try await TestWorld.run { world in
            try await world.loadDemoRegistry(devices: 2)
            let tiles = try await TileServerStandIn.start()
            defer { Task { await tiles.stop() } }
            try await RunningCMSStub.run { cms in
                cms.stub.setListedEvents([.init(id: Self.race, name: "Demo race")])
                let livePort = try await freePort()
                let attribution = "© the site's tiles"
                let config = try world.writeMapConfigurationFile(
                    livePort: livePort,
                    cms: cms.url,
                    live: ["map_tiles: \(tiles.template)", "map_tiles_attribution: \"\(attribution)\""]
                )
                let flowrun = try FlowrunProcess(configuration: config)
                let browser = try await Chromium.launch()
                do {
                    try await world.eventually("flowrun's live server listens", within: .seconds(120)) {
                        flowrun.output.contains("live server listening")
                    }
                    let origin = "http://127.0.0.1:\(livePort)"
                    let page = try await browser.newPage()
                    try await page.setCookie(name: "directus_session_token", value: "valid-browser", url: origin)
                    try await page.navigate(origin + "/events/\(Self.race)")
                    let state = try await page.until("the course drawn over tiles") { state in
                        state.connection == "live" && state.gates > 0 && state.firstGate != nil && !state.tiles.isEmpty
                    }
                    try await Self.checkTiles(state, tiles)
                    #expect(state.attribution == attribution)
                    try await world.eventually("the browser fetched every tile drawn") {
                        let asked = Set(tiles.paths)
                        return state.tiles.allSatisfy { asked.contains(URL(string: $0.url)?.path ?? $0.url) }
                    }
                    try await Self.saveScreenshot(page, name: "tiles", moment: "over the tile stand-in's tiles")
                    #expect(browser.devTools.problems.isEmpty, "console errors: \(browser.devTools.problems)")
                } catch {
                    flowrun.kill(SIGKILL)
                    await browser.close()
                    Issue.record("flowrun's output:\n\(flowrun.output)")
                    throw error
                }
                await Self.finish(flowrun, browser)
            }
        }
    }

    /// Every tile is of one zoom; the gate's tile by OpenStreetMap's numbering is among them, laid so that the
    /// gate's place within the tile is where the page draws the gate (to a pixel).
    private static func checkTiles(_ state: MapState, _ server: TileServerStandIn) async throws {
        let gate = try #require(state.firstGate)
        let zooms = Set(state.tiles.compactMap { URL(string: $0.url)?.pathComponents.dropFirst(2).first })
        #expect(zooms.count == 1, "one zoom: \(state.tiles.map(\.url))")
        let zoom = try #require(zooms.first.flatMap { Int($0) })
        #expect((10...19).contains(zoom), "a zoom for a course of a few hundred metres: \(zoom)")
        let count = Double(1 << zoom)
        let latitude = gate.lat * .pi / 180
        let column = (gate.lon + 180) / 360 * count
        let row = (1 - asinh(tan(latitude)) / .pi) / 2 * count
        let url = server.template.replacingOccurrences(of: "{z}", with: "\(zoom)")
            .replacingOccurrences(of: "{x}", with: "\(Int(column))")
            .replacingOccurrences(of: "{y}", with: "\(Int(row))")
        let tile = try #require(state.tiles.first { $0.url == url }, "the gate's tile \(url) in \(state.tiles)")
        // The page lays each tile a quarter pixel up and left and half a pixel larger (no seams).
        let side = tile.size - 0.5
        let x = tile.x + 0.25 + (column - column.rounded(.down)) * side
        let y = tile.y + 0.25 + (row - row.rounded(.down)) * side
        #expect(
            abs(x - gate.x) < 1 && abs(y - gate.y) < 1,
            "gate drawn at \(gate.x), \(gate.y); its tile says \(x), \(y)"
        )
        #expect((180...370).contains(side), "tiles drawn near their own size: \(side) px")
    }
}
