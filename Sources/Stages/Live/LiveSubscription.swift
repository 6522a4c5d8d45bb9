/// One connection's place in its loop's list of the subscribers of one topic, from the join to the leave.
///
/// What the subscription is (being set up, its buffered positions) is the connection's state machine's; the
/// loop only needs whom to deliver to, and the topic the connection knows it by.
///
/// - Important: Immutable; lives on its connection's event loop, in the loop's subscriber lists.
final class LiveSubscription {
    let connection: LiveConnectionHandler
    let topic: LiveTopic

    init(connection: LiveConnectionHandler, topic: LiveTopic) {
        self.connection = connection
        self.topic = topic
    }
}
