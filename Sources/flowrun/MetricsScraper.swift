import AsyncHTTPClient
import Foundation
import NIOCore
import Pipelines

/// Fetches and reads flowrun's `/metrics` (Prometheus text) over HTTP, with AsyncHTTPClient's shared client.
///
/// - Important: Each ``scrape()`` is one `GET`, bounded by ``timeout``; anything but a `200` with a body that
///   ``PrometheusText`` reads throws a ``CommandFailure`` that says what to check.
struct MetricsScraper: Sendable {
    /// The `/metrics` URL.
    let url: String
    var timeout: TimeAmount = .seconds(5)
    /// A larger answer is refused (flowrun's is a few tens of KiB).
    var maximumBytes = 16 * 1024 * 1024

    /// - Parameter base: `http://HOST:PORT`, with or without `/metrics`.
    init(base: String) {
        self.url = InstanceOptions.endpoint("/metrics", of: base)
    }

    func scrape() async throws -> MetricsSnapshot {
        let body: String
        do {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: self.url),
                timeout: self.timeout
            )
            guard response.status == .ok else {
                throw CommandFailure(
                    "\(self.url) answered HTTP \(response.status.code): is this flowrun's operations port"
                        + " (http.port / HTTP_PORT)?"
                )
            }
            body = String(buffer: try await response.body.collect(upTo: self.maximumBytes))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw InstanceOptions.unreachable(self.url, error)
        }
        do {
            return try MetricsSnapshot(parsing: body)
        } catch {
            throw CommandFailure("\(self.url) is not Prometheus text (\(error)): is this flowrun's operations port?")
        }
    }
}
