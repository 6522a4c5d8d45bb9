import ArgumentParser
import AsyncHTTPClient
import Foundation

/// The running flowrun that `flowrun top` and `flowrun tap` talk to: the address of its operations HTTP port.
struct InstanceOptions: ParsableArguments {
    @Option(help: "A running flowrun's operations HTTP address: http.port in its pipelines.yaml, or HTTP_PORT.")
    var url = "http://127.0.0.1:9090"

    func validate() throws {
        guard let url = URL(string: self.url), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--url must look like http://HOST:PORT (flowrun's http.port), not '\(self.url)'")
        }
    }

    /// `path` (`/metrics`, `/tap`) on the instance at `base` (`http://HOST:PORT`, with or without `path`).
    static func endpoint(_ path: String, of base: String) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return trimmed.hasSuffix(path) ? trimmed : trimmed + path
    }

    /// Runs `body` with an HTTP client that gives up at once when the instance refuses the connection (the
    /// shared client would retry until the request's deadline), and shuts the client down afterwards.
    static func withClient<Result>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The error for an instance that did not answer at `url`: what failed, and what to check.
    static func unreachable(_ url: String, _ error: any Error) -> CommandFailure {
        CommandFailure(
            "cannot reach flowrun at \(url): \(error)\nis flowrun running? Its operations port is http.port in"
                + " pipelines.yaml, or HTTP_PORT (default 9090); pass it as --url http://HOST:PORT"
        )
    }
}
