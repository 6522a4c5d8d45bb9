import Foundation

/// What the map page's `window.flowrunMap.state()` reports, read by the browser test.
struct MapState: Decodable, Sendable {
    struct Marker: Decodable, Sendable, Hashable {
        var device: String
        var label: String
        var transform: String?
        var stale: Bool
    }

    var connection: String
    var notice: String
    var event: String?
    var events: [String]
    var devices: Int
    var gates: Int
    var scale: String
    var markers: [Marker]
    /// The standings table's cells, row by row: place, entry, checkpoints, last, elapsed, gap.
    var standings: [[String]]
    var frames: Int
    var messages: Int
    var replay: Replay
    /// The tiles drawn under the map (none without `map_tiles`).
    var tiles: [Tile]
    /// The attribution shown over the tiles ("" when none).
    var attribution: String
    /// The course's first gate's first end, and where the map draws it.
    var firstGate: GatePoint?

    struct Tile: Decodable, Sendable, Hashable {
        var url: String
        /// Its top left corner and side, in map pixels.
        var x: Double
        var y: Double
        var size: Double
    }

    struct GatePoint: Decodable, Sendable, Hashable {
        var lat: Double
        var lon: Double
        /// Where the map draws it, in map pixels.
        var x: Double
        var y: Double
    }

    /// The replay as the page's `Replay` has it: times in ms since the epoch (device time).
    struct Replay: Decodable, Sendable {
        var active: Bool
        var playing: Bool
        var speed: Double
        var head: Double?
        var first: Double?
        var last: Double?
        var ended: Bool
        /// Every stored position up to `last` is loaded (the last page had no `next`).
        var complete: Bool
        /// A page request is in flight.
        var loading: Bool
        /// The newest live position's time the replay knows (0: none).
        var liveNewest: Double
        var error: String
        /// What the replay bar says.
        var text: String
    }

    /// Where each device's marker is drawn.
    var places: [String: String] {
        Dictionary(self.markers.map { ($0.device, $0.transform ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// The checkpoints counted by the entry with the most (the `3` of `3/10`).
    var mostCounted: Int {
        self.standings.compactMap { $0.count > 2 ? Int($0[2].prefix { $0 != "/" }) : nil }.max() ?? 0
    }
}

extension ChromiumPage {
    /// The page's state now; nil before the page's script has run.
    func mapState() async throws -> MapState? {
        let expression = "window.flowrunMap ? JSON.stringify(window.flowrunMap.state()) : ''"
        guard let text = try await self.evaluateString(expression), !text.isEmpty else { return nil }
        return try JSONDecoder().decode(MapState.self, from: Data(text.utf8))
    }
}

/// The rows of `flowrun timing standings`' table (its header and column titles left out): the cells of each
/// row, which are two or more spaces apart.
func standingsRows(_ output: String) -> [[String]] {
    let lines = output.split(separator: "\n").dropFirst(2)
    return lines.map { line in
        line.split(separator: /\s{2,}/).map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}
