/// When a ``StreamSource`` looks for idle entries to claim (`XPENDING … IDLE` + `XCLAIM`): a pure value, told
/// the time (the pipeline clock's `now`) and what each look found.
///
/// A pass over the group's pending list starts at most every ``interval`` (half of `claim_idle`), counted
/// from the end of the last pass, so a group with nothing idle is not asked over and over. Within a pass,
/// while a look finds a full page of idle entries, the next look comes at once, before any new entry is
/// read: a dead consumer's backlog is claimed page after page, as fast as the pipeline takes the pages
/// (the source sends each page on before it looks again), and the live stream waits behind it. A look that
/// finds less than a page ends the pass.
///
/// - Important: A look that fails (its command threw) changes nothing: the pass goes on after the retry
///   as if that look had not been made, or, for a pass's first look, the next pass waits for the interval.
struct ClaimCadence: Sendable, Hashable {
    enum Look: Sendable, Hashable {
        /// No look now: read new entries.
        case none
        /// The first look of a pass, ``ClaimCadence/interval`` after the last pass ended (or at the start).
        case first
        /// The next page of a pass whose last look found a full page.
        case next
    }

    /// The least time from the end of one pass to the start of the next.
    let interval: Duration
    /// When the last pass started or ended; nil before the first.
    private var lastPass: Duration?
    /// The last look found a full page: the pass goes on.
    private var inPass = false

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether to look now, and which look it is; a ``Look/first`` look starts a pass now.
    mutating func look(at now: Duration) -> Look {
        if self.inPass { return .next }
        guard self.lastPass.map({ now - $0 >= self.interval }) ?? true else { return .none }
        self.lastPass = now
        return .first
    }

    /// What the look just made found: a full page (more may be idle after it) goes on with the pass at once;
    /// less ends it, and the next pass starts `interval` after `now`.
    mutating func looked(foundFullPage: Bool, at now: Duration) {
        self.inPass = foundFullPage
        if !foundFullPage { self.lastPass = now }
    }
}
