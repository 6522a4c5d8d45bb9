/// Wakes a stage's inbox at the latest deadline it armed; a stage's helper for time windows.
///
/// ``run(wake:)`` runs in a child task of the stage: it waits for a deadline, sleeps until it on the
/// pipeline's clock, wakes the inbox, and waits for the next one. Arming a new deadline while it sleeps
/// on an older one is cheap: it only posts to a mailbox, and the sleeper picks the newest up when its
/// current sleep ends. Wakes can therefore come early or for a deadline already served; the stage
/// checks the clock itself when woken.
@usableFromInline
struct DeadlineTimer: Sendable {
    private let deadlines = Mailbox<Duration>()
    let clock: FlowClock

    @usableFromInline
    init(clock: FlowClock) {
        self.clock = clock
    }

    @usableFromInline
    func arm(_ deadline: Duration) {
        self.deadlines.post(deadline)
    }

    @usableFromInline
    func run(wake: @Sendable () -> Void) async throws {
        while true {
            let armed = await self.deadlines.takeAll()
            guard let deadline = armed.max() else { return }  // cancelled
            try await self.clock.sleep(until: deadline)
            wake()
        }
    }
}
