import NIOCore

/// The fetch behind a `subscribe`: the CMS asked and the snapshot read off the event loop, the answer brought
/// back to the loop and handed to the machine (see `LiveConnectionStateMachine+Subscriptions.swift`).
extension LiveConnectionHandler {
    /// Starts the fetch for the `subscribe` the machine numbered `id` (the topic is already joined).
    func fetch(_ topic: LiveTopic, id: UInt64) {
        guard let context = self.context else { return }
        let environment = self.environment
        let cookie = self.cookie
        let logger = self.logger
        context.eventLoop.makeFutureWithTask {
            await LiveSubscriptionAnswer.fetch(topic: topic, cookie: cookie, environment: environment, logger: logger)
        }.assumeIsolated().whenComplete { result in
            self.answered(topic: topic, id: id, try? result.get())
        }
    }

    private func answered(topic: LiveTopic, id: UInt64, _ answer: LiveSubscriptionAnswer?) {
        switch self.machine.subscribeAnswered(topic: topic, id: id, answer) {
        case .none:
            break
        case .subscribed(let message, let positions):
            let now = NIODeadline.now()
            self.send(.control(message), now: now)
            for position in positions { self.send(.position(position), now: now) }
        case .refused(let error, let leave):
            self.send(.control(error), now: .now())
            if leave { self.loop.unsubscribe(self, from: topic) }
        }
        self.flushAndCount()
        if self.machine.releaseHeldRead() { self.context?.read() }
    }
}
