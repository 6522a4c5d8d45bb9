import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import Stages

/// `GET /events/<id>/positions` (``LiveReplayEndpoint``) over a fake CMS and a fake store: authorised as a
/// subscription, its query read and bounded, its page written as JSON with the cursor of the next one.
@Suite(.timeLimit(.minutes(1))) struct LiveReplayEndpointTests {
    static let event = "00000000-0000-4000-8000-00000000d001"

    /// `count` positions of devices `a`, `b`, `c` in turn, three per second from second 100 (so `ts` repeats
    /// across devices), seeded.
    static func positions(_ count: Int) -> [LivePosition] {
        var random = SeededGenerator(seed: 15)
        return (0..<count).map { index in
            LivePosition(
                deviceID: ["a", "b", "c"][index % 3],
                timestamp: Int64(100 + index / 3) * 1_000_000,
                latitude: 54.68 + Double(random.next() % 1000) / 1e6,
                longitude: 25.27,
                speed: index.isMultiple(of: 2) ? 31.5 : nil
            )
        }
    }

    func ask(
        _ uri: String,
        cookie: String? = "session=valid",
        authority: FakeReplayAuthority = FakeReplayAuthority(),
        history: FakePositionHistory = FakePositionHistory()
    ) async -> (status: HTTPResponseStatus, json: [String: Any]) {
        let path = uri.prefix { $0 != "?" }
        let event = path.dropFirst("/events/".count).dropLast("/positions".count)
        let answer = await LiveReplayEndpoint.answer(
            event: String(event),
            uri: uri,
            cookie: cookie,
            authority: authority,
            history: history,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView))) as? [String: Any]
        return (answer.status, json ?? [:])
    }

    @Test func noSession_is401_theCMSDown_is503_asForAnUpgrade_andNothingIsRead() async {
        let history = FakePositionHistory([Self.event: Self.positions(3)])
        let uri = "/events/\(Self.event)/positions"
        let nobody = await self.ask(uri, cookie: nil, history: history)
        #expect(nobody.status == .unauthorized)
        #expect(nobody.json["error"] as? String == "not-authenticated")
        let expired = await self.ask(uri, cookie: "session=expired", history: history)
        #expect(expired.status == .unauthorized)
        let down = await self.ask(uri, cookie: "session=down", history: history)
        #expect(down.status == .serviceUnavailable)
        #expect(down.json["error"] as? String == "unavailable")
        #expect(history.state.withLock { $0.queries.isEmpty })
    }

    @Test func aForbiddenEvent_is403_theCMSUnavailableForIt_is503_theStoreFailing_is503() async {
        let authority = FakeReplayAuthority()
        authority.state.withLock { $0.forbidden = [Self.event] }
        let history = FakePositionHistory([Self.event: Self.positions(3)])
        let uri = "/events/\(Self.event.uppercased())/positions"
        let forbidden = await self.ask(uri, authority: authority, history: history)
        #expect(forbidden.status == .forbidden)
        #expect(forbidden.json["error"] as? String == "forbidden")
        #expect(authority.state.withLock { $0.asked } == ["authenticate", "authorize \(Self.event)"])
        #expect(history.state.withLock { $0.queries.isEmpty })

        authority.state.withLock { $0 = FakeReplayAuthority.State(authorizationUnavailable: true) }
        #expect(await self.ask(uri, authority: authority, history: history).status == .serviceUnavailable)
        #expect(history.state.withLock { $0.queries.isEmpty })

        authority.state.withLock { $0 = FakeReplayAuthority.State() }
        history.state.withLock { $0.failing = true }
        let failing = await self.ask(uri, authority: authority, history: history)
        #expect(failing.status == .serviceUnavailable)
        #expect(failing.json["error"] as? String == "unavailable")
    }

    @Test(arguments: [
        "/events/not-a-uuid/positions",
        "/events/\(event)/positions?from=yesterday",
        "/events/\(event)/positions?until=2026-05-02",
        "/events/\(event)/positions?after=12",
        "/events/\(event)/positions?after=x:a",
        "/events/\(event)/positions?limit=0",
        "/events/\(event)/positions?limit=-3",
        "/events/\(event)/positions?limit=many",
    ])
    func aMalformedRequest_is400_andNothingIsRead(uri: String) async {
        let history = FakePositionHistory([Self.event: Self.positions(3)])
        let answer = await self.ask(uri, history: history)
        #expect(answer.status == .badRequest)
        #expect(answer.json["error"] as? String == "bad-request")
        #expect(history.state.withLock { $0.queries.isEmpty })
    }

    @Test func theQuery_readsEachParameter_percentEncoded_andLowersALimitAboveTheMaximum() throws {
        let defaults = try LiveReplayEndpoint.query(of: "/events/x/positions")
        #expect(defaults == LiveReplayQuery(limit: LiveReplayQuery.defaultLimit))
        let uri =
            "/events/x/positions?from=2026-05-02T16%3A00%3A00.5Z&until=2026-05-02T17:00:00Z"
            + "&after=1777737600500000%3Aimei%3A7&limit=99999&unknown=1"
        let query = try LiveReplayEndpoint.query(of: uri)
        #expect(query.from == 1_777_737_600_500_000)
        #expect(query.until == 1_777_741_200_000_000)
        #expect(query.after == LiveReplayQuery.Cursor(timestamp: 1_777_737_600_500_000, deviceID: "imei:7"))
        #expect(query.limit == LiveReplayQuery.maxLimit)
        #expect(query.lowerBound == 1_777_737_600_500_000)
        #expect(LiveReplayQuery(from: 5, after: .init(timestamp: 3, deviceID: "a")).lowerBound == 5)
        #expect(LiveReplayQuery(after: .init(timestamp: 3, deviceID: "a")).lowerBound == 3)
        #expect(LiveReplayQuery().lowerBound == nil)
    }

    @Test func pagesFollowingNext_giveEveryPositionOnce_inTsThenDeviceOrder_evenWhenAPageEndsWithinASecond() async {
        let stored = Self.positions(20)
        var random = SeededGenerator(seed: 7)
        let history = FakePositionHistory([Self.event: stored.shuffled(using: &random)])
        var uri = "/events/\(Self.event)/positions?limit=4"
        var seen: [String] = []
        var pages = 0
        while true {
            let page = await self.ask(uri, history: history)
            #expect(page.status == .ok)
            #expect(page.json["event"] as? String == Self.event)
            #expect(page.json["first"] as? String == "1970-01-01T00:01:40.000Z")
            #expect(page.json["last"] as? String == "1970-01-01T00:01:46.000Z")
            let positions = page.json["positions"] as? [[String: Any]] ?? []
            seen += positions.map { "\($0["ts"] ?? "")/\($0["device_id"] ?? "")" }
            pages += 1
            guard let next = page.json["next"] as? String, pages < 20 else { break }
            #expect(positions.count == 4, "a page with a next is full")
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next
            uri = "/events/\(Self.event)/positions?limit=4&after=\(encoded)"
        }
        #expect(pages == 5, "five full pages, the last one without next")
        #expect(seen == stored.map { "\(Timestamp.format($0.timestamp))/\($0.deviceID)" })
        // Every key of a live position, null where the tracker reported nothing.
        let first = await self.ask("/events/\(Self.event)/positions?limit=2", history: history)
        let positions = first.json["positions"] as? [[String: Any]] ?? []
        #expect(positions.count == 2)
        #expect(
            Set(positions[1].keys) == [
                "device_id", "ts", "latitude", "longitude", "altitude", "angle", "speed", "satellites",
            ]
        )
        #expect(positions[1]["speed"] is NSNull)
        #expect(positions[0]["speed"] as? Double == 31.5)
    }

    /// A page whose `next` is `null` still says where to resume: asked later with it, the positions stored since
    /// come, and none of those seen before; an empty page keeps the cursor it was asked with.
    @Test func resumeAfterTheLastPage_givesThePositionsStoredSince_andOnlyThose() async throws {
        let stored = Self.positions(9)
        let history = FakePositionHistory([Self.event: stored])
        let whole = await self.ask("/events/\(Self.event)/positions?limit=100", history: history)
        #expect(whole.json["next"] is NSNull)
        let resume = try #require(whole.json["resume"] as? String)
        #expect(resume == "102000000:c", "the cursor of the page's last position")

        let encoded = resume.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? resume
        let nothingYet = await self.ask("/events/\(Self.event)/positions?after=\(encoded)", history: history)
        #expect((nothingYet.json["positions"] as? [Any])?.isEmpty == true)
        #expect(nothingYet.json["resume"] as? String == resume, "an empty page keeps the cursor")

        history.state.withLock { $0.positions[Self.event]? += Array(Self.positions(12)[9...]) }
        let since = await self.ask("/events/\(Self.event)/positions?after=\(encoded)", history: history)
        let positions = since.json["positions"] as? [[String: Any]] ?? []
        #expect(
            positions.map { "\($0["ts"] ?? "")/\($0["device_id"] ?? "")" } == [
                "1970-01-01T00:01:43.000Z/a", "1970-01-01T00:01:43.000Z/b", "1970-01-01T00:01:43.000Z/c",
            ]
        )
        #expect(since.json["last"] as? String == "1970-01-01T00:01:43.000Z")
        #expect(since.json["resume"] as? String == "103000000:c")
    }

    @Test func anEventWithoutPositions_answersAnEmptyPage_withoutSpanOrNext() async {
        let answer = await self.ask("/events/\(Self.event)/positions?from=2026-05-02T16:00:00Z")
        #expect(answer.status == .ok)
        #expect((answer.json["positions"] as? [Any])?.isEmpty == true)
        #expect(answer.json["first"] is NSNull)
        #expect(answer.json["last"] is NSNull)
        #expect(answer.json["next"] is NSNull)
        #expect(answer.json["resume"] is NSNull)
    }

    @Test func theRoute_isAnEventsPositions_andOnlyThat() {
        #expect(
            LiveHTTPRoute(method: .GET, uri: "/events/\(Self.event)/positions?limit=5") == .positions(event: Self.event)
        )
        #expect(LiveHTTPRoute(method: .HEAD, uri: "/events/e/positions") == .positions(event: "e"))
        #expect(LiveHTTPRoute(method: .POST, uri: "/events/e/positions") == .methodNotAllowed)
        #expect(LiveHTTPRoute(method: .GET, uri: "/events//positions") == .notFound)
        #expect(LiveHTTPRoute(method: .GET, uri: "/events/a/b/positions") == .notFound)
        #expect(LiveHTTPRoute(method: .GET, uri: "/events/e/positions/x") == .notFound)
    }
}
