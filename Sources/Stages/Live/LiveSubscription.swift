/// One connection's subscription to one topic.
///
/// While `subscribe` requests for it are being answered (authorization and snapshot being fetched), the
/// topic's positions wait in ``buffered``, to be sent after the `subscribed` message: so no position is lost
/// between the snapshot and the live feed, and none arrives before `subscribed`.
///
/// - Important: Lives on its connection's event loop, like the connection; the loop's subscriber lists
///   hold it from the join to the leave.
final class LiveSubscription {
    let connection: LiveConnectionHandler
    let topic: LiveTopic
    /// The topic's number in the ``LiveTopicDirectory`` while subscribed.
    let topicID: Int
    /// `subscribe` requests being answered; positions are buffered while it is > 0.
    var fetching = 0
    /// The positions that came while ``fetching`` > 0 (`nil` otherwise).
    var buffered: LiveOutboundQueue?

    init(connection: LiveConnectionHandler, topic: LiveTopic, topicID: Int) {
        self.connection = connection
        self.topic = topic
        self.topicID = topicID
    }
}
