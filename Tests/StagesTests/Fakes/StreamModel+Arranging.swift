import Stages

/// What a test does to the streams besides the stages' commands: what other clients, an operator or time do.
extension StreamModel {
    /// Another consumer of `group` reads up to `count` new entries (`XREADGROUP … >`), which become its pending
    /// ones; returns their ids.
    @discardableResult
    mutating func deliver(
        _ count: Int,
        of stream: String,
        group: String,
        to consumer: String,
        at now: Duration = .zero
    )
        -> [StreamID]
    {
        let read = GroupRead(stream: stream, group: group, consumer: consumer, position: .new, count: count)
        return ((try? self.read(read, now: now).get())?.entries ?? []).map(\.id)
    }

    /// Makes pending entries (all of the group's, when `ids` is nil) look delivered `duration` earlier.
    mutating func makeIdle(_ ids: [StreamID]? = nil, of stream: String, group: String, by duration: Duration) {
        for id in ids ?? self.streams[stream]?.groups[group].map({ Array($0.pending.keys) }) ?? [] {
            self.streams[stream]?.groups[group]?.pending[id]?.deliveredAt -= duration
        }
    }

    /// `XDEL`: the entry leaves the stream, not the pending lists.
    mutating func delete(_ id: StreamID, from stream: String) {
        self.streams[stream]?.entries.removeAll { $0.id == id }
    }

    /// `XGROUP DESTROY`.
    mutating func destroyGroup(_ group: String, on stream: String) {
        self.streams[stream]?.groups[group] = nil
    }

    /// The group's pending list, oldest first: id → (consumer, deliveries).
    func pendingList(of stream: String, group: String) -> [(id: StreamID, consumer: String, deliveries: Int)] {
        (self.streams[stream]?.groups[group]?.pending ?? [:])
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.consumer, $0.value.deliveries) }
    }

    func lastDelivered(of stream: String, group: String) -> StreamID? {
        self.streams[stream]?.groups[group]?.lastDelivered
    }

    func entries(of stream: String) -> [StreamEntry] {
        self.streams[stream]?.entries ?? []
    }
}
