import Foundation
import Stages

extension FlowrunConfiguration.Pipelines {
    /// The live-broadcast pipeline's settings (`pipelines.live-broadcast`): read the stream in a consumer group
    /// of this instance's own, find each device's race events, and push each position to the browsers
    /// subscribed to them over WebSocket.
    public struct LiveBroadcast: PipelineSettings {
        /// `enabled`: whether this instance runs the pipeline. Default: `true` when the section is present
        /// (a pipeline absent from the file is disabled).
        public var enabled: Bool
        /// `stream`: the Redis Stream key positions are read from. Default: `telemetry:t`.
        public var stream = "telemetry:t"
        /// `timing_stream`: the Redis Stream key the changes of the `crossings` table are read from (CONTRACT
        /// §6.5), in a group of this instance's own too. Default: `timing:crossings`.
        public var timingStream = "timing:crossings"
        /// `group_prefix`: each instance reads in a group of its own, `<group_prefix>-<instance>`
        /// (see ``group(instance:)``); live data is acknowledged on read. Default: `live-broadcast`.
        public var groupPrefix = "live-broadcast"
        /// `port`: the WebSocket server's port, 0–65535; 0 binds any free port. Default: 8080.
        public var port = LiveServer.Configuration.defaultPort
        /// `cms_url`: the CMS that knows which race events a device belongs to, an `http://` or `https://`
        /// URL. Default: `http://127.0.0.1:8055`.
        public var cmsURL = URL(string: "http://127.0.0.1:8055")!
        /// `cms_timeout`: how long one CMS request may take, > 0. Default: 2 s.
        public var cmsTimeout = CMSClient.Configuration.defaultTimeout
        /// `refresh`: how often the device→events map is refreshed from the CMS, > 0; a failed refresh keeps
        /// the previous map. Default: 30 s.
        public var refresh = DeviceEvents.defaultRefresh
        /// `read_count`: entries asked for per `XREADGROUP` (`COUNT`), ≥ 1. Default: 500.
        public var readCount = 500
        /// `block`: how long one `XREADGROUP` waits for new entries (`BLOCK`), > 0. Default: 1 s.
        public var block: Duration = .seconds(1)
        /// `client_queue`: positions waiting per WebSocket connection before older ones are coalesced, ≥ 1.
        /// Default: 256.
        public var clientQueue = LiveServer.Configuration.defaultClientQueue
        /// `slow_client_timeout`: a client that stays behind longer than this is closed, > 0. Default: 10 s.
        public var slowClientTimeout = LiveServer.Configuration.defaultSlowClientTimeout
        /// `flush_delay`: the longest a position waits before it is written to a browser, so that the ones
        /// that come meanwhile share the socket write, ≥ 0 (0: at once). Trades a few milliseconds of latency
        /// for a fraction of the CPU per delivery. Default: 10 ms.
        public var flushDelay = LiveServer.Configuration.defaultFlushDelay
        /// `map_tiles`: a site's tile server for the map page, a URL with `{z}`, `{x}` and `{y}` like
        /// `http://tiles.example.org/{z}/{x}/{y}.png`; the page then draws the map over its tiles. Default: none
        /// (the page draws the course and markers alone, and fetches nothing from anywhere else).
        public var mapTiles: String?
        /// `map_tiles_attribution`: the text shown in a corner of the map over the tiles, e.g.
        /// `© OpenStreetMap contributors`. Default: none.
        public var mapTilesAttribution: String?
        /// `map_tiles_max_zoom`: the highest zoom the tile server has, 0–24. Default: 19.
        public var mapTilesMaxZoom = MapTiles.defaultMaxZoom

        /// The map page's tiles, when `map_tiles` is set.
        public var tiles: MapTiles? {
            self.mapTiles.map {
                MapTiles(url: $0, attribution: self.mapTilesAttribution, maxZoom: self.mapTilesMaxZoom)
            }
        }

        /// The defaults of a pipeline whose section is present: enabled unless `enabled` says otherwise.
        public init() {
            self.enabled = true
        }

        /// The defaults, enabled or not.
        public init(enabled: Bool) {
            self.enabled = enabled
        }

        /// The consumer group of the given instance: `<group_prefix>-<instance>`.
        public func group(instance: String) -> String {
            "\(self.groupPrefix)-\(instance)"
        }
    }
}
