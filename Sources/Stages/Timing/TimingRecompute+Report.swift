extension TimingRecompute {
    /// What a recompute of one event changed (or, on a dry run, would change).
    public struct Report: Sendable, Hashable {
        public var event: TimedEvents.Event
        /// The changes of the `crossings` table, in the order applied and appended.
        public var changes: [Change] = []
        /// Positions whose stored judgement differed from the one in `ts` order, per transition.
        public var rejudged: [Transition: Int] = [:]
        /// Positions inside the event's window that were judged.
        public var positions = 0
        /// Whether the changes were written (false on a dry run).
        public var written = false

        public init(event: TimedEvents.Event) {
            self.event = event
        }

        /// How many positions were re-judged.
        public var rejudgedCount: Int { self.rejudged.values.reduce(0, +) }

        /// A change of a row, with the row as it was before (nil when it is new).
        public struct Change: Sendable, Hashable {
            public var change: CrossingChange
            public var previous: CrossingRecord?

            public init(change: CrossingChange, previous: CrossingRecord?) {
                self.change = change
                self.previous = previous
            }
        }

        /// A stored judgement rewritten: from what the columns held to what `ts` order gives, each the rule's
        /// name or nil when not faulty (`faulty` without a `fault` reads as `faulty`).
        public struct Transition: Sendable, Hashable, Comparable {
            public var from: String?
            public var to: String?

            public init(from: String?, to: String?) {
                self.from = from
                self.to = to
            }

            init(from old: PositionJudgement, to new: PositionJudgement) {
                self.from = old.faulty ? (old.fault ?? "faulty") : nil
                self.to = new.fault
            }

            public static func < (a: Transition, b: Transition) -> Bool {
                (a.from ?? "", a.to ?? "") < (b.from ?? "", b.to ?? "")
            }
        }
    }
}
