import Foundation

/// Debian's `chromium`, headless, with a throwaway profile, driven over the DevTools protocol: launched with
/// `--remote-debugging-port=0`, its port and path read from the profile's `DevToolsActivePort` file.
public final class Chromium: Sendable {
    public let devTools: DevTools
    private let process: ChildProcess
    private let profile: URL
    public let outputFile: String

    /// The binary: `$CHROMIUM`, else `/usr/bin/chromium` (`scripts/setup.sh` installs it).
    public static var binary: String { ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium" }

    private init(devTools: DevTools, process: ChildProcess, profile: URL, outputFile: String) {
        self.devTools = devTools
        self.process = process
        self.profile = profile
        self.outputFile = outputFile
    }

    public static func launch() async throws -> Chromium {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw HarnessError("\(Self.binary) is missing: scripts/setup.sh installs Debian's chromium")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-chromium-\(UUID())")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let output = profile.path + ".log"
        var arguments = [
            "--headless", "--remote-debugging-port=0", "--user-data-dir=\(profile.path)",
            "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--window-size=1400,900", "about:blank",
        ]
        // Chromium's sandbox refuses to run as root (CI containers): there it runs without one.
        if getuid() == 0 { arguments.insert("--no-sandbox", at: 0) }
        let process = try ChildProcess(Self.binary, arguments, outputFile: output)
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let start = ContinuousClock.now
        while true {
            if let text = try? String(contentsOf: portFile, encoding: .utf8) {
                let lines = text.split(separator: "\n")
                if lines.count >= 2, let port = Int(lines[0]) {
                    let devTools = try await DevTools.connect(port: port, path: String(lines[1]))
                    return Chromium(devTools: devTools, process: process, profile: profile, outputFile: output)
                }
            }
            if start.duration(to: .now) > .seconds(60) {
                process.kill(SIGKILL)
                let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                throw HarnessError("chromium wrote no DevToolsActivePort within 60 s; its output:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A new tab of `width`×`height` CSS pixels, with the console and log domains enabled.
    public func newPage(width: Int = 1400, height: Int = 860) async throws -> ChromiumPage {
        let created = try await self.devTools.call("Target.createTarget", ["url": "about:blank"])
        let target = try ChromiumPage.string(created, "targetId")
        let attached = try await self.devTools.call("Target.attachToTarget", ["targetId": target, "flatten": true])
        let page = ChromiumPage(devTools: self.devTools, session: try ChromiumPage.string(attached, "sessionId"))
        for domain in ["Runtime.enable", "Log.enable", "Page.enable", "Network.enable"] {
            _ = try await page.call(domain)
        }
        _ = try await page.call(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false]
        )
        return page
    }

    /// Closes the browser (`Browser.close`, then SIGKILL if it lingers) and removes its profile.
    public func close() async {
        _ = try? await self.devTools.call("Browser.close")
        await self.devTools.close()
        let exited = Task { await self.process.exitStatus() }
        let killer = Task {
            try await Task.sleep(for: .seconds(10))
            self.process.kill(SIGKILL)
        }
        _ = await exited.value
        killer.cancel()
        try? FileManager.default.removeItem(at: self.profile)
        try? FileManager.default.removeItem(atPath: self.outputFile)
    }
}

/// One tab, reached through its flat DevTools session.
public struct ChromiumPage: Sendable {
    public let devTools: DevTools
    public let session: String

    public init(devTools: DevTools, session: String) {
        self.devTools = devTools
        self.session = session
    }

    public func call(_ method: String, _ params: [String: Any] = [:]) async throws -> Data {
        try await self.devTools.call(method, params, session: self.session)
    }

    /// Sets a cookie for `url`'s host (all its ports: cookies are per host).
    public func setCookie(name: String, value: String, url: String) async throws {
        _ = try await self.call("Network.setCookie", ["name": name, "value": value, "url": url, "path": "/"])
    }

    public func navigate(_ url: String) async throws {
        _ = try await self.call("Page.navigate", ["url": url])
    }

    /// Evaluates `expression`, which must give a string, and returns it (nil for anything else).
    public func evaluateString(_ expression: String) async throws -> String? {
        let reply = try await self.call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any]
        if let details = object?["exceptionDetails"] {
            throw DevTools.CommandFailed(description: "\(expression) threw: \(details)")
        }
        return (object?["result"] as? [String: Any])?["value"] as? String
    }

    /// A PNG of the viewport.
    public func screenshot() async throws -> Data {
        let reply = try await self.call("Page.captureScreenshot", ["format": "png"])
        guard let data = Data(base64Encoded: try Self.string(reply, "data")) else {
            throw DevTools.CommandFailed(description: "Page.captureScreenshot: data is not base64")
        }
        return data
    }

    public static func string(_ reply: Data, _ key: String) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any],
            let value = object[key] as? String
        else { throw DevTools.CommandFailed(description: "no \(key) in \(String(decoding: reply, as: UTF8.self))") }
        return value
    }
}
