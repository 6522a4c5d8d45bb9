import ArgumentParser
import CMSStub
import Foundation
import Logging
import ServiceLifecycle

struct CMSStubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cms-stub",
        abstract: "Run a stand-in for the CMS's auth API (CONTRACT §4), to try live-broadcast without Directus.",
        discussion: """
            Answers GET /users/me?fields=id, GET /items/events/<id>?fields=id and
            GET /items/events?fields=id,name (the --event list, as far as the
            session may watch them) as Directus would, until Ctrl-C. GET /login
            signs a browser in (cookie valid-demo) and redirects to ?next=<url>.
            The session is the cookie
            directus_session_token=<token>, and the token says who it is:
              valid-<anything>          signed in, may watch every event
              events-<uuid>+<uuid>...   signed in, may watch only those events
              none-<anything>           signed in, may watch no event
              anything else, or none    not signed in ({"data": null})

            Examples:
              flowrun cms-stub                      on http://127.0.0.1:8055
              flowrun cms-stub --port 0 --base-path /cms
                                                    any free port, API under /cms
              flowrun cms-stub --fail-with 500      a failing CMS (live: 503)
              flowrun cms-stub --hang 30            a CMS that answers after 30 s
              flowrun cms-stub --event '00000000-0000-4000-8000-00000000d001=Demo race'
                                                    lists that event to the map page
              curl -b 'directus_session_token=valid-alice' \\
                'http://127.0.0.1:8055/users/me?fields=id'
            """
    )

    @Option(help: "The port to listen on (0: any free port).")
    var port = 8055

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Serve the API under this path, e.g. /cms (default: the root).")
    var basePath = ""

    @Option(
        name: .customLong("event"),
        help: "An event GET /items/events lists, as <uuid>=<name> (repeat it for more; default: none)."
    )
    var events: [String] = []

    @Option(help: "Answer every request with this HTTP status instead (e.g. 500: a failing CMS).")
    var failWith: Int?

    @Option(help: "Wait this many seconds before answering each request (a CMS that does not answer in time).")
    var hang: Double?

    func validate() throws {
        guard (0...65535).contains(self.port) else { throw ValidationError("--port is 0–65535 (got \(self.port))") }
        if let status = self.failWith, !(100...599).contains(status) {
            throw ValidationError("--fail-with is an HTTP status, 100–599 (got \(status))")
        }
        if let hang = self.hang, !(hang > 0) { throw ValidationError("--hang is a number of seconds > 0") }
        for event in self.events where UUID(uuidString: String(event.prefix { $0 != "=" })) == nil {
            throw ValidationError("--event is <uuid>=<name> (got '\(event)')")
        }
    }

    /// The `--event` options as the stub lists them.
    private var listed: [CMSListedEvent] {
        self.events.map { event in
            let id = String(event.prefix { $0 != "=" })
            let name = event.count > id.count ? String(event.dropFirst(id.count + 1)) : nil
            return CMSListedEvent(id: id, name: name)
        }
    }

    func run() async throws {
        let logger = Logger(label: "cms-stub")
        let stub = CMSStub(host: self.host, port: self.port, basePath: self.basePath, logger: logger)
        stub.setListedEvents(self.listed)
        if let status = self.failWith {
            stub.setBehavior(.respond(status: status, body: #"{"errors":[{"message":"cms-stub --fail-with"}]}"#))
        } else if let hang = self.hang {
            stub.setBehavior(.hang(.milliseconds(Int64(hang * 1000))))
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: CMSStubService(stub: stub))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // Requests still hanging (--hang) are cut off after this.
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let url: URL
            do {
                url = try await stub.baseURL()
            } catch {
                _ = try? await tasks.next()
                throw CommandFailure("cms-stub cannot listen on \(self.host):\(self.port): \(error)")
            }
            // Unbuffered: the instructions show at once, also when standard output is a pipe.
            FileHandle.standardOutput.write(Data((Self.usage(url) + "\n").utf8))
            try await tasks.next()
        }
    }

    static func usage(_ url: URL) -> String {
        """
        cms-stub: the CMS's auth API on \(url) (Ctrl-C stops it)
          live-broadcast: cms_url: \(url)

          a user who may watch every event:
            curl -b 'directus_session_token=valid-alice' '\(url)/users/me?fields=id'
          a user who may watch only the given events:
            curl -b 'directus_session_token=events-<event-uuid>+<event-uuid>' \
        '\(url)/items/events/<event-uuid>?fields=id'
          a user who may watch no event:
            curl -b 'directus_session_token=none-bob' '\(url)/items/events/<event-uuid>?fields=id'
          not signed in (any other token, or no cookie):
            curl -b 'directus_session_token=expired' '\(url)/users/me?fields=id'
          the events a user may watch (the map page's picker):
            curl -b 'directus_session_token=valid-alice' '\(url)/items/events?fields=id,name'
          sign a browser in (cookie valid-demo), then go to the map page:
            \(url)/login?next=http://127.0.0.1:8080/
        """
    }
}

/// Runs the stub as a service: a graceful shutdown (SIGTERM, Ctrl-C) reaches its HTTP server, which stops
/// accepting and finishes the requests in flight.
private struct CMSStubService: Service {
    let stub: CMSStub

    func run() async throws {
        try await self.stub.run()
    }
}
