import NIOCore

/// `subscribe`, `unsubscribe`, their answers, and the positions delivered to a subscription.
///
/// A `subscribe` joins the topic first, so that every position published from then on reaches the
/// subscription, and buffers them while the CMS is asked and the snapshot read; then it sends `subscribed`
/// with the snapshot, followed by the buffered positions newer than the snapshot's position of their device;
/// later, a position no newer than its device's snapshot position is not sent (``Open/floors``).
/// A refused one sends the error, and the subscription ends (its buffered positions dropped) unless another
/// `subscribe` of the topic is still being answered.
///
/// - Important: Each `subscribe` gets one answer, `subscribed` or an error, unless an `unsubscribe` of the
///   topic comes first: that one ends the subscription at once, answered `unsubscribed`, and the answers
///   still coming for the subscription are dropped (they carry its ``Subscription/id``).
extension LiveConnectionStateMachine {
    /// A `subscribe` request: join the topic unless subscribed, and fetch.
    mutating func subscribe(to topic: LiveTopic) -> FrameAction {
        let clientQueue = self.configuration.clientQueue
        return self.modifyOpen { $0.subscribe(to: topic, clientQueue: clientQueue) } ?? .none
    }

    /// An `unsubscribe` request: leave the topic if subscribed; answered `unsubscribed` either way.
    mutating func unsubscribe(from topic: LiveTopic) -> FrameAction {
        let removed = self.modifyOpen { open in
            open.floors[topic] = nil
            return open.subscriptions.removeValue(forKey: topic) != nil
        }
        guard let wasSubscribed = removed else { return .none }
        return .unsubscribe(topic, leave: wasSubscribed, answer: LiveMessage.unsubscribed(topic: topic))
    }

    enum AnswerAction {
        case none
        /// Send the `subscribed` message, then these positions (buffered meanwhile, newer than the snapshot),
        /// in order, each through ``LiveConnectionStateMachine/send(_:isWritable:now:)``.
        case subscribed(ByteBuffer, positions: [LiveFrame])
        /// Send this error; leave the topic on the loop when `leave` (no other `subscribe` of it is being
        /// answered, so the subscription ended).
        case refused(ByteBuffer, leave: Bool)
    }

    /// The answer to the `subscribe` that returned ``FrameAction/subscribe(_:id:join:)`` with `id`; `nil` when
    /// the fetch failed without an answer (it is no longer in flight, and nothing is sent). Then the handler
    /// flushes, and issues a held read if ``releaseHeldRead()`` says so.
    mutating func subscribeAnswered(topic: LiveTopic, id: UInt64, _ answer: LiveSubscriptionAnswer?) -> AnswerAction {
        let clientQueue = self.configuration.clientQueue
        return self.modifyOpen { $0.answered(topic: topic, id: id, answer, clientQueue: clientQueue) } ?? .none
    }

    /// A position of `topic` from the loop, for a subscription of this connection: buffered while the
    /// subscription is being set up, otherwise sent.
    ///
    /// - Important: The hot path of the fan-out: no allocation, and one action.
    mutating func deliver(
        _ position: LiveFrame,
        of topic: LiveTopic,
        isWritable: Bool,
        now: NIODeadline
    ) -> SendAction {
        if self.hasSubscribesInFlight,
            case let outcome?? = self.modifyOpen({ $0.subscriptions[topic]?.buffer(position) })
        {
            return .wait(outcome, startsSlowTimer: false)
        }
        if self.hasFloors, position.kind == .position, case false? = self.modifyOpen({ $0.admits(position, of: topic) })
        {
            return .none  // no newer than the snapshot's position of its device: the marker would go back
        }
        return self.send(.position(position), isWritable: isWritable, now: now)
    }

    /// Whether any subscription may be being set up (most deliveries need not look theirs up).
    private var hasSubscribesInFlight: Bool {
        guard case .open(let open) = self.state else { return false }
        return open.subscribesInFlight > 0
    }

    /// Whether a snapshot's times still hold any device back (most deliveries need not look).
    private var hasFloors: Bool {
        guard case .open(let open) = self.state else { return false }
        return !open.floors.isEmpty
    }
}

extension LiveConnectionStateMachine.Subscription {
    /// `subscribe` requests of a subscription being answered, and the positions that came meanwhile, which
    /// follow the `subscribed` answer.
    struct Fetching {
        /// Requests being answered, ≥ 1.
        var requests: Int
        var buffered: LiveOutboundQueue
    }

    /// Buffers `position` when the subscription is being set up; `nil` when it is not.
    mutating func buffer(_ position: LiveFrame) -> LiveOutboundQueue.AppendOutcome? {
        self.fetching?.buffered.append(position)
    }
}

extension LiveConnectionStateMachine.Open {
    /// Whether `position` may be sent on `topic`: newer than its device's snapshot position, if that still
    /// holds it back (which it then no longer does).
    mutating func admits(_ position: LiveFrame, of topic: LiveTopic) -> Bool {
        guard let floor = self.floors[topic]?[position.deviceID] else { return true }
        guard position.timestamp > floor else { return false }
        self.floors[topic]![position.deviceID] = nil
        if self.floors[topic]!.isEmpty { self.floors[topic] = nil }
        return true
    }

    mutating func subscribe(to topic: LiveTopic, clientQueue: Int) -> LiveConnectionStateMachine.FrameAction {
        let join = self.subscriptions[topic] == nil
        if join {
            self.subscriptions[topic] = LiveConnectionStateMachine.Subscription(id: self.nextSubscriptionID)
            self.nextSubscriptionID += 1
        }
        let id = self.subscriptions[topic]!.id
        if self.subscriptions[topic]!.fetching == nil {
            self.subscriptions[topic]!.fetching = .init(
                requests: 1,
                buffered: LiveOutboundQueue(capacity: clientQueue, policy: .keepAllUntilFull)
            )
        } else {
            self.subscriptions[topic]!.fetching!.requests += 1
        }
        self.subscribesInFlight += 1
        return .subscribe(topic, id: id, join: join)
    }

    mutating func answered(
        topic: LiveTopic,
        id: UInt64,
        _ answer: LiveSubscriptionAnswer?,
        clientQueue: Int
    ) -> LiveConnectionStateMachine.AnswerAction {
        self.subscribesInFlight -= 1
        guard let answer, self.subscriptions[topic]?.id == id, self.subscriptions[topic]!.fetching != nil else {
            return .none
        }
        self.subscriptions[topic]!.fetching!.requests -= 1
        let stillFetching = self.subscriptions[topic]!.fetching!.requests > 0
        switch answer {
        case .subscribed(let message, let snapshotTimestamps):
            // Taken out of the subscription, so that popping its positions does not copy it.
            var buffered: LiveOutboundQueue
            if stillFetching {
                buffered = LiveOutboundQueue(capacity: clientQueue, policy: .keepAllUntilFull)
                swap(&buffered, &self.subscriptions[topic]!.fetching!.buffered)
            } else {
                buffered = self.subscriptions[topic]!.fetching!.buffered
                self.subscriptions[topic]!.fetching = nil
            }
            var positions: [LiveFrame] = []
            positions.reserveCapacity(buffered.count)
            var floor = snapshotTimestamps
            while let element = buffered.popFirst() {
                // A timing frame always follows: a crossing may be both in the snapshot and right after it.
                guard case .position(let position) = element,
                    position.kind == .timing
                        || position.timestamp > snapshotTimestamps[position.deviceID, default: .min]
                else { continue }
                if position.kind == .position { floor[position.deviceID] = nil }
                positions.append(position)
            }
            self.floors[topic] = floor.isEmpty ? nil : floor
            return .subscribed(message, positions: positions)
        case .refused(let code, let message):
            let error = LiveMessage.error(code, topic: topic.name, message: message)
            guard !stillFetching else { return .refused(error, leave: false) }
            self.subscriptions[topic] = nil
            self.floors[topic] = nil
            return .refused(error, leave: true)
        }
    }
}
