import CoreMetrics
import NIOCore

/// The CMS call a request makes, as labelled in `flowrun_cms_request_seconds{call}`.
enum CMSCall: String, CaseIterable {
    /// `GET /users/me?fields=id`
    case usersMe = "users_me"
    /// `GET /items/events/<id>?fields=id`
    case event
    /// `GET /items/events?fields=id,name&limit=-1`
    case events
}

/// How a CMS request ended, as labelled in `flowrun_cms_request_seconds{outcome}`.
enum CMSOutcome: String, CaseIterable {
    /// A user, the event allowed, or the event list.
    case ok
    /// Not authenticated, the event forbidden, or the event list forbidden.
    case denied
    /// No answer, or one outside CONTRACT §4.
    case unavailable
}

/// `flowrun_cms_request_seconds{call, outcome}`: how long each CMS request took, made once per client.
struct CMSMetrics: Sendable {
    private let timers: [String: CoreMetrics.Timer]

    init(factory: any MetricsFactory) {
        var timers: [String: CoreMetrics.Timer] = [:]
        for call in CMSCall.allCases {
            for outcome in CMSOutcome.allCases {
                timers[Self.key(call, outcome)] = CoreMetrics.Timer(
                    label: "flowrun_cms_request_seconds",
                    dimensions: [("call", call.rawValue), ("outcome", outcome.rawValue)],
                    factory: factory
                )
            }
        }
        self.timers = timers
    }

    func record(_ call: CMSCall, _ outcome: CMSOutcome, _ duration: Duration) {
        self.timers[Self.key(call, outcome)]?.recordNanoseconds(TimeAmount(duration).nanoseconds)
    }

    private static func key(_ call: CMSCall, _ outcome: CMSOutcome) -> String {
        "\(call.rawValue)|\(outcome.rawValue)"
    }
}
