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
                ("connection.js", "text/javascript"), ("map.css", "text/css"), ("index.html", "text/html"),
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
}
