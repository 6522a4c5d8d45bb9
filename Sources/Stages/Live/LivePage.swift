import Foundation
import NIOCore

/// The live map page's files (HTML, CSS, JavaScript from `Sources/Stages/Live/Web`), read once and served by the
/// live server beside `/live`: `index.html` at `/` and `/events/<id>`, every file at `/map/<name>`, and the
/// page's settings from this instance's configuration at `/map/settings.json` (``MapTiles``).
///
/// The files are the `Stages` target's SwiftPM resources (`resources: [.copy("Live/Web")]`): a build copies them
/// to `flowrun_Stages.resources/Web` next to the binary, where they are looked for first; a binary run from its
/// build directory of a checkout finds them there. When they are not there (a binary copied elsewhere alone),
/// the source directory it was built from is tried, and failing that the page answers 404 for each file, naming
/// the directories looked in; `/live` is unaffected.
///
/// - Important: Immutable once made; shared by every connection.
struct LivePage: Sendable {
    /// A file as served: its `Content-Type` and bytes.
    struct File: Sendable {
        let contentType: String
        let bytes: ByteBuffer
    }

    /// By file name, e.g. `map.js`.
    let files: [String: File]
    /// Where the files were looked for, for the 404 that says they are missing.
    let searched: [String]

    /// The page's HTML document.
    var index: File? { self.files["index.html"] }

    /// This page with its settings file, `settings.json`, saying which tiles to draw (none when nil). A page
    /// whose files were not found stays without any, so that every file answers the 404 naming where they
    /// were looked for.
    func with(tiles: MapTiles?) -> LivePage {
        guard !self.files.isEmpty else { return self }
        var files = self.files
        files["settings.json"] = File(
            contentType: Self.contentType(of: "settings.json")!,
            bytes: ByteBuffer(bytes: MapTiles.settingsJSON(tiles))
        )
        return LivePage(files: files, searched: self.searched)
    }

    private init(files: [String: File], searched: [String]) {
        self.files = files
        self.searched = searched
    }

    /// The files found in the first of `directories` that holds an `index.html`.
    init(directories: [URL]) {
        self.searched = directories.map(\.path)
        let manager = FileManager.default
        for directory in directories {
            guard manager.fileExists(atPath: directory.appendingPathComponent("index.html").path),
                let names = try? manager.contentsOfDirectory(atPath: directory.path)
            else { continue }
            var files: [String: File] = [:]
            for name in names {
                guard let type = Self.contentType(of: name),
                    let data = manager.contents(atPath: directory.appendingPathComponent(name).path)
                else { continue }
                files[name] = File(contentType: type, bytes: ByteBuffer(bytes: data))
            }
            self.files = files
            return
        }
        self.files = [:]
    }

    /// The page shipped with this build (see the type's documentation for where it is looked for).
    static let bundled = LivePage(directories: Self.bundleDirectories)

    private static var bundleDirectories: [URL] {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(
                executable.deletingLastPathComponent().appendingPathComponent("flowrun_Stages.resources/Web")
            )
        }
        directories.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Web"))
        return directories
    }

    /// The `Content-Type` a file is served with, by its extension; nil for a file that is not served.
    static func contentType(of name: String) -> String? {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json; charset=utf-8"
        default: nil
        }
    }
}
