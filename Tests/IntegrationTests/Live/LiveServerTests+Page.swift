import Foundation
import Stages
import Testing

// MARK: The map page and its event list, on the live port

extension Integration.LiveServerTests {
    @Test func thePageIsServedAtTheRootAndPerEvent_itsFilesWithTheirContentTypes() async throws {
        try await LiveTestServer.run { server in
            for path in ["/", "/events/\(LiveFakeAuthority.event)", "/?x=1"] {
                let answer = try await plainGet(path, port: server.port)
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(path): \(answer.prefix(200))")
                #expect(answer.lowercased().contains("content-type: text/html; charset=utf-8"), "\(path)")
                #expect(answer.contains(#"<script type="module" src="/map/app.js"></script>"#), "\(path)")
            }
            for (file, type) in [
                ("app.js", "text/javascript"), ("model.js", "text/javascript"), ("view.js", "text/javascript"),
                ("connection.js", "text/javascript"), ("replay.js", "text/javascript"),
                ("replay-bar.js", "text/javascript"), ("painter.js", "text/javascript"),
                ("paint-worker.js", "text/javascript"), ("map.css", "text/css"), ("index.html", "text/html"),
            ] {
                let answer = try await plainGet("/map/\(file)", port: server.port)
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(file)")
                #expect(answer.lowercased().contains("content-type: \(type); charset=utf-8"), "\(file)")
            }
            let head = try await plainGet("/map/app.js", port: server.port, method: "HEAD")
            #expect(head.hasPrefix("HTTP/1.1 200") && head.hasSuffix("\r\n\r\n"), "HEAD has no body")
            #expect(try await plainGet("/map/nothing.js", port: server.port).hasPrefix("HTTP/1.1 404"))
            #expect(try await plainGet("/map/../Package.swift", port: server.port).hasPrefix("HTTP/1.1 404"))
            #expect(try await plainGet("/events/a/b", port: server.port).hasPrefix("HTTP/1.1 404"))
            #expect(try await plainGet("/", port: server.port, method: "POST").hasPrefix("HTTP/1.1 405"))
            #expect(try await plainGet("/live", port: server.port).hasPrefix("HTTP/1.1 426"), "/live as before")
        }
    }

    @Test func settingsSayWhichTilesThePageDraws_noneByDefault() async throws {
        func settings(_ port: Int) async throws -> [String: Any] {
            let answer = try await plainGet("/map/settings.json", port: port)
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            #expect(answer.lowercased().contains("content-type: application/json; charset=utf-8"))
            let body = try #require(answer.components(separatedBy: "\r\n\r\n").last)
            return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        }
        try await LiveTestServer.run { server in
            let said = try await settings(server.port)
            #expect(said["tiles"] is NSNull, "no tiles unless configured")
        }
        let tiles = MapTiles(url: "https://tiles.example.org/{z}/{x}/{y}.png", attribution: "© \"site\"", maxZoom: 17)
        try await LiveTestServer.run {
            $0.mapTiles = tiles
        } _: { server in
            let said = try #require(try await settings(server.port)["tiles"] as? [String: Any])
            #expect(said["url"] as? String == tiles.url)
            #expect(said["attribution"] as? String == "© \"site\"")
            #expect(said["max_zoom"] as? Int == 17)
        }
    }

    @Test func eventsAnswersTheUsersEvents_401WithoutASession_503WhenTheCMSCannotBeAsked() async throws {
        try await LiveTestServer.run { server in
            let listed = try await plainGet("/events", port: server.port, cookie: "session=valid")
            #expect(listed.hasPrefix("HTTP/1.1 200"), "\(listed)")
            #expect(listed.lowercased().contains("content-type: application/json"))
            let body = try #require(listed.components(separatedBy: "\r\n\r\n").last)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(json["user"] as? String == "u1")
            let events = try #require(json["events"] as? [[String: Any]])
            #expect(events.map { $0["id"] as? String } == [LiveFakeAuthority.event])
            #expect(events.first?["name"] as? String == "Race")

            for cookie in [nil, "session=nobody"] {
                let refused = try await plainGet("/events", port: server.port, cookie: cookie)
                #expect(refused.hasPrefix("HTTP/1.1 401"), "\(cookie ?? "no cookie")")
                #expect(refused.contains("sign in to the CMS"))
            }
            let down = try await plainGet("/events", port: server.port, cookie: "session=down")
            #expect(down.hasPrefix("HTTP/1.1 503"))
            #expect(down.contains("the CMS is unavailable"))
        }
    }

    @Test func positionsAnswersAPageOfTheEvent_authorisedAsASubscription_401_403_503() async throws {
        try await LiveTestServer.run { server in
            let event = LiveFakeAuthority.event
            server.snapshots.set(
                [
                    LivePosition(deviceID: "b", timestamp: 2_000_000, latitude: 54.5, longitude: 25.5),
                    LivePosition(deviceID: "a", timestamp: 1_000_000, latitude: 54.4, longitude: 25.4, speed: 12),
                ],
                for: event
            )
            let path = "/events/\(event)/positions?limit=1"
            let page = try await plainGet(path, port: server.port, cookie: "session=valid")
            #expect(page.hasPrefix("HTTP/1.1 200"), "\(page)")
            #expect(page.lowercased().contains("content-type: application/json"))
            let body = try #require(page.components(separatedBy: "\r\n\r\n").last)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(json["first"] as? String == "1970-01-01T00:00:01.000Z")
            #expect(json["last"] as? String == "1970-01-01T00:00:02.000Z")
            let positions = try #require(json["positions"] as? [[String: Any]])
            #expect(positions.map { $0["device_id"] as? String } == ["a"])
            #expect(json["next"] as? String == "1000000:a")

            #expect(try await plainGet(path, port: server.port, cookie: nil).hasPrefix("HTTP/1.1 401"))
            #expect(try await plainGet(path, port: server.port, cookie: "session=down").hasPrefix("HTTP/1.1 503"))
            server.authority.answer(.forbidden, for: event)
            #expect(try await plainGet(path, port: server.port, cookie: "session=valid").hasPrefix("HTTP/1.1 403"))
            let bad = try await plainGet("/events/x/positions", port: server.port, cookie: "session=valid")
            #expect(bad.hasPrefix("HTTP/1.1 400"), "\(bad)")
            #expect(try await plainGet(path, port: server.port, method: "POST").hasPrefix("HTTP/1.1 405"))
        }
    }
}
