import ArgumentParser
import Foundation
import Pipelines

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch a running flowrun: items per second per stage, queues, errors, consumer group lag.",
        discussion: """
            Scrapes a running flowrun's /metrics every --interval seconds and redraws
            a table: per pipeline and stage, items in and out per second, items
            queued, errors (in all and per second), the median time per item (p50)
            and how busy the stage was (BUSY: the share of the interval it spent on
            items; the stage near 100% is the one the others wait for); per consumer group, its lag (entries not yet delivered) and its
            pending entries (delivered, not acknowledged); per consumer, its pending
            entries and how long the oldest has been idle (as the stream source last
            checked, every claim_idle / 2); live WebSocket connections and positions
            written per second. Ctrl-C quits.

            --url is flowrun's operations HTTP port: http.port in pipelines.yaml, or
            HTTP_PORT (default 9090). With --once, or when standard output is not a
            terminal, prints one table from two scrapes --interval apart and exits.

            Examples:
              flowrun top                          the local instance, port 9090
              flowrun top --url http://race-2:9090 --interval 2
              flowrun top --once --url http://127.0.0.1:19300 > snapshot.txt
            """
    )

    @OptionGroup var instance: InstanceOptions

    @Option(help: "Seconds between scrapes (> 0).")
    var interval: Double = 1

    @Flag(help: "Print one table (from two scrapes --interval apart) and exit.")
    var once = false

    func validate() throws {
        guard self.interval > 0, self.interval <= 3600 else {
            throw ValidationError("--interval must be seconds between scrapes, > 0 and at most 3600")
        }
    }

    func run() async throws {
        let scraper = MetricsScraper(base: self.instance.url)
        let order = StageOrder.ofKnownPipelines()
        let pause = Duration.seconds(self.interval)
        var previous = try await Scrape(scraper)
        guard !self.once, Terminal.standardOutputIsTerminal else {
            try await Task.sleep(for: pause)
            let current = try await Scrape(scraper)
            Terminal.write(self.frame(current.table(since: previous, stageOrder: order), at: current))
            return
        }
        Terminal.write(Terminal.clearScreen)
        Terminal.redraw(self.frame("first scrape done; rates after the next one\n", at: previous))
        var shown = ""
        // Until Ctrl-C, or until the terminal is gone.
        var terminalIsThere = true
        while terminalIsThere {
            try await Task.sleep(for: pause)
            do {
                let current = try await Scrape(scraper)
                shown = current.table(since: previous, stageOrder: order)
                previous = current
                terminalIsThere = Terminal.redraw(self.frame(shown, at: current))
            } catch {
                let trying = "\(error)\n(scraping again every \(Self.seconds(self.interval)); Ctrl-C quits)\n\n"
                terminalIsThere = Terminal.redraw(self.frame(trying + shown, at: nil))
            }
        }
    }

    /// The title line, then `body`.
    private func frame(_ body: String, at scrape: Scrape?) -> String {
        let when = scrape.map { " at " + Self.clockTime($0.date) } ?? ""
        return
            "flowrun top  \(MetricsScraper(base: self.instance.url).url)  every \(Self.seconds(self.interval))\(when)\n\n"
            + body
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }

    /// `HH:MM:SS`, local time.
    private static func clockTime(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.hour, .minute, .second], from: date)
        return [parts.hour, parts.minute, parts.second].map { part in
            let value = part ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }.joined(separator: ":")
    }
}

/// One scrape and when it arrived.
private struct Scrape {
    let snapshot: MetricsSnapshot
    let instant: ContinuousClock.Instant
    let date: Date

    init(_ scraper: MetricsScraper) async throws {
        self.snapshot = try await scraper.scrape()
        self.instant = .now
        self.date = Date()
    }

    /// The table of the interval from `previous` to this scrape, rendered.
    func table(since previous: Scrape, stageOrder: [String: [String]]) -> String {
        let seconds = previous.instant.duration(to: self.instant) / .seconds(1)
        return TopTable(previous: previous.snapshot, current: self.snapshot, seconds: seconds, stageOrder: stageOrder)
            .render()
    }
}
