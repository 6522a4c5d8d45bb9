import CLibPQ

/// The notices a connection's server sends (`RAISE NOTICE`, "already exists, skipping") while a script runs
/// with ``PostgresConnection/executeCollectingNotices(_:)``: their primary messages, in order. Other
/// statements' notices are dropped, as they are not errors.
///
/// - Important: Touched only on its connection's thread: by libpq's notice receiver, which libpq calls inside
///   a call the connection's actor makes, and by that actor. It lives as long as the actor, which outlives
///   the C connection it is registered with.
final class PostgresNoticeCollector {
    var isCollecting = false
    var messages: [String] = []

    /// libpq's notice receiver; its argument is the collector, unretained.
    static let receiver: PQnoticeReceiver = { argument, result in
        guard let argument, let result else { return }
        let collector = Unmanaged<PostgresNoticeCollector>.fromOpaque(argument).takeUnretainedValue()
        guard collector.isCollecting,
            let message = PQresultErrorField(result, Int32(Character("M").asciiValue!))
        else { return }
        collector.messages.append(String(cString: message))
    }
}
