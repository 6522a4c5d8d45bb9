import Logging
import NIOCore

/// `subscribe` and `unsubscribe`.
///
/// A `subscribe` joins the topic first, so that every position published from then on reaches the
/// subscription, and buffers them while the CMS is asked and the snapshot read; then it sends `subscribed`
/// with the snapshot, followed by the buffered positions newer than the snapshot's position of their device.
/// A refused one sends the error, and the subscription ends (its buffered positions dropped) unless another
/// `subscribe` of the topic is still being answered.
///
/// - Important: Each `subscribe` gets one answer, `subscribed` or an error, unless an `unsubscribe` of the
///   topic comes first: that one ends the subscription at once, answered `unsubscribed`, and the answers
///   still coming for the subscription are dropped.
extension LiveConnectionHandler {
    func subscribe(to topic: LiveTopic) {
        guard let context = self.context else { return }
        let subscription: LiveSubscription
        if let existing = self.subscriptions[topic] {
            subscription = existing
        } else {
            subscription = self.loop.subscribe(self, to: topic)
            self.subscriptions[topic] = subscription
        }
        subscription.fetching += 1
        if subscription.buffered == nil {
            subscription.buffered = LiveOutboundQueue(capacity: self.environment.clientQueue, policy: .keepAllUntilFull)
        }
        self.subscribesInFlight += 1
        let environment = self.environment
        let cookie = self.cookie
        let logger = self.logger
        context.eventLoop.makeFutureWithTask {
            await LiveSubscriptionAnswer.fetch(topic: topic, cookie: cookie, environment: environment, logger: logger)
        }.assumeIsolated().whenComplete { result in
            self.subscribesInFlight -= 1
            if case .success(let answer) = result { self.answer(answer, for: subscription) }
            self.flushAndCount()
            self.resumeReadingIfHeld()
        }
    }

    private func answer(_ answer: LiveSubscriptionAnswer, for subscription: LiveSubscription) {
        guard self.state == .open, self.subscriptions[subscription.topic] === subscription else { return }
        subscription.fetching -= 1
        switch answer {
        case .subscribed(let message, let snapshotTimestamps):
            self.send(control: message)
            var buffered = subscription.buffered ?? LiveOutboundQueue(capacity: 1, policy: .keepAllUntilFull)
            subscription.buffered =
                subscription.fetching > 0
                ? LiveOutboundQueue(capacity: self.environment.clientQueue, policy: .keepAllUntilFull) : nil
            while let element = buffered.popFirst() {
                guard case .position(let position) = element,
                    position.timestamp > snapshotTimestamps[position.deviceID, default: .min]
                else { continue }
                self.send(position)
            }
        case .refused(let code, let message):
            self.send(control: LiveMessage.error(code, topic: subscription.topic.name, message: message))
            if subscription.fetching == 0 {
                self.subscriptions[subscription.topic] = nil
                self.loop.unsubscribe(subscription)
            }
        }
    }

    func unsubscribe(from topic: LiveTopic) {
        if let subscription = self.subscriptions.removeValue(forKey: topic) {
            self.loop.unsubscribe(subscription)
        }
        self.send(control: LiveMessage.unsubscribed(topic: topic))
    }
}

/// The answer to a `subscribe`, worked out off the event loop: the CMS asked, the snapshot read and encoded.
enum LiveSubscriptionAnswer: Sendable {
    /// The `subscribed` message, and the newest snapshot instant per device (buffered positions not newer
    /// than it are not sent: the snapshot already has them).
    case subscribed(message: ByteBuffer, snapshotTimestamps: [String: Int64])
    case refused(LiveErrorCode, message: String)

    static func fetch(
        topic: LiveTopic,
        cookie: String?,
        environment: LiveConnectionEnvironment,
        logger: Logger
    ) async -> LiveSubscriptionAnswer {
        switch await environment.authority.authorize(event: topic.event, cookie: cookie) {
        case .allowed:
            break
        case .forbidden:
            return .refused(.forbidden, message: "you may not watch this event")
        case .unavailable(let reason):
            logger.warning(
                "live subscribe refused: the CMS could not be asked",
                metadata: ["topic": "\(topic.name)", "reason": "\(reason)"]
            )
            return .refused(.unavailable, message: "the CMS could not be asked; try again later")
        }
        let snapshot: [LivePosition]
        do {
            snapshot = try await environment.snapshots.snapshot(event: topic.event)
        } catch {
            logger.warning(
                "live subscribe refused: the snapshot could not be read",
                metadata: ["topic": "\(topic.name)", "error": "\(error)"]
            )
            return .refused(.unavailable, message: "the snapshot could not be read; try again later")
        }
        var timestamps: [String: Int64] = [:]
        for position in snapshot {
            timestamps[position.deviceID] = max(timestamps[position.deviceID, default: .min], position.timestamp)
        }
        return .subscribed(
            message: LiveMessage.subscribed(topic: topic, snapshot: snapshot),
            snapshotTimestamps: timestamps
        )
    }
}
