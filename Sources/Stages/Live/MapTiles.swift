import Foundation

/// A site's tile server for the map page (`pipelines.live-broadcast.map_tiles`): the page draws the map over
/// its tiles, in Web Mercator, when set, and fetches nothing from anywhere else when not (a race site's
/// network is often offline).
public struct MapTiles: Sendable, Hashable {
    /// The tiles' URL with `{z}`, `{x}` and `{y}` (OpenStreetMap's numbering), e.g.
    /// `http://tiles.example.org/{z}/{x}/{y}.png`.
    public var url: String
    /// Shown in a corner of the map while the tiles are drawn (most tile servers' terms ask for it).
    public var attribution: String?
    /// The highest zoom the server has tiles for; the page asks for no higher one. Default: 19.
    public var maxZoom: Int

    public static let defaultMaxZoom = 19

    public init(url: String, attribution: String? = nil, maxZoom: Int = Self.defaultMaxZoom) {
        self.url = url
        self.attribution = attribution
        self.maxZoom = maxZoom
    }

    /// The placeholders a URL template must have.
    public static let placeholders = ["{z}", "{x}", "{y}"]

    /// The page's settings (`/map/settings.json`): `{"tiles": {"url", "attribution", "max_zoom"}}`, or
    /// `{"tiles": null}` without tiles.
    static func settingsJSON(_ tiles: MapTiles?) -> Data {
        var object: [String: Any] = ["tiles": NSNull()]
        if let tiles {
            var fields: [String: Any] = ["url": tiles.url, "max_zoom": tiles.maxZoom]
            if let attribution = tiles.attribution { fields["attribution"] = attribution }
            object["tiles"] = fields
        }
        // Only strings, an integer and null: serialisation cannot fail.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
