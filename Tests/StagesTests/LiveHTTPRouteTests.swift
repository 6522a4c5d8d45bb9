import NIOHTTP1
import Testing

@testable import Stages

/// What a plain HTTP request to the live port is routed to, path by path.
@Suite(.timeLimit(.minutes(1))) struct LiveHTTPRouteTests {
    @Test func thePageAtTheRootAndPerEvent_itsFilesUnderMap_theEventListAtEvents() {
        #expect(LiveHTTPRoute(method: .GET, uri: "/") == .page)
        #expect(LiveHTTPRoute(method: .GET, uri: "/?event=x") == .page)
        #expect(LiveHTTPRoute(method: .GET, uri: "/events/00000000-0000-4000-8000-00000000d001") == .page)
        #expect(LiveHTTPRoute(method: .GET, uri: "/map/app.js") == .file("app.js"))
        #expect(LiveHTTPRoute(method: .HEAD, uri: "/map/map.css") == .file("map.css"))
        #expect(LiveHTTPRoute(method: .GET, uri: "/events") == .events)
        #expect(LiveHTTPRoute(method: .GET, uri: "/live") == .live)
    }

    @Test func otherPathsAreNotFound_andOtherMethodsNotAllowed() {
        #expect(LiveHTTPRoute(method: .GET, uri: "/map/") == .notFound)
        #expect(LiveHTTPRoute(method: .GET, uri: "/map/a/b.js") == .notFound)
        #expect(LiveHTTPRoute(method: .GET, uri: "/events/a/b") == .notFound)
        #expect(LiveHTTPRoute(method: .GET, uri: "/favicon.ico") == .notFound)
        #expect(LiveHTTPRoute(method: .POST, uri: "/") == .methodNotAllowed)
        #expect(LiveHTTPRoute(method: .DELETE, uri: "/events") == .methodNotAllowed)
    }

    @Test func contentTypesByExtension_andNoneForOtherFiles() {
        #expect(LivePage.contentType(of: "index.html") == "text/html; charset=utf-8")
        #expect(LivePage.contentType(of: "app.js") == "text/javascript; charset=utf-8")
        #expect(LivePage.contentType(of: "map.css") == "text/css; charset=utf-8")
        #expect(LivePage.contentType(of: "README") == nil)
        #expect(LivePage.contentType(of: ".DS_Store") == nil)
    }
}
