/// One consumer's share of a group's pending list, as a ``StreamSource`` sees it when it checks pending
/// entries: how many it has, and how long the oldest of them (the lowest id) has been idle.
struct ConsumerPending: Sendable, Hashable {
    var consumer: String
    var count: Int
    /// The idle time of the consumer's oldest pending entry, by Redis's clock: the time since it was last
    /// delivered. Nil when it was acknowledged between the two commands that ask.
    var oldestIdle: Duration?
}
