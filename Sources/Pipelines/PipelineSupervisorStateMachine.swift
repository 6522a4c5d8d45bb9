import Flow

/// What ``PipelineSupervisor`` knows of its pipelines, as a pure value: which run, which drain and what
/// follows, which wait to be started again after a failure, and with which settings.
///
/// It never starts, drains or waits itself: every event returns the actions the supervisor carries out
/// (start a pipeline, drain it, schedule or cancel its restart, forget it). Time comes in with the events,
/// as durations on the supervisor's clock.
///
/// | phase | event | next phase, actions |
/// |---|---|---|
/// | (none) | apply: wanted | running; start |
/// | running | apply: unwanted | draining, then stop; drain |
/// | running | apply: other settings | draining, then restart; drain |
/// | running | ended: failed | waiting to restart (attempt n); schedule restart after the backoff |
/// | draining, then stop | ended | (none); forget |
/// | draining, then restart | ended | running; start (with the new settings) |
/// | waiting to restart | restart due | running; start |
/// | waiting to restart | apply: unwanted | (none); cancel restart, forget |
/// | waiting to restart | apply: other settings | running; cancel restart, start |
/// | any | shutdown | draining, then stop (drain); a waiting one is forgotten (cancel restart) |
///
/// - Important: A failure restarts only the pipeline that failed: the others keep their phase. The backoff
///   grows with consecutive failures (``restartBackoff``) and starts over once a pipeline ran for
///   ``stableRun`` before failing. After ``shutdown(now:)`` nothing starts again.
struct PipelineSupervisorStateMachine {
    enum Phase: Equatable {
        /// Its service runs (started at `since`).
        case running(since: Duration)
        /// Asked to drain; what follows once it has ended.
        case draining(then: AfterDrain)
        /// It failed `attempt` times in a row; it starts again at `at`.
        case waitingToRestart(attempt: Int, at: Duration)
    }

    enum AfterDrain: Equatable {
        case stop
        case restart
    }

    struct Entry: Equatable {
        var phase: Phase
        var settings: PipelineRunSettings
        /// Failures since it last ran for ``PipelineSupervisorStateMachine/stableRun``.
        var failures = 0
    }

    enum Action: Equatable {
        /// Build and run the pipeline with the settings now wanted.
        case start(String)
        /// Begin its graceful drain.
        case drain(String)
        /// Start it again after `delay`: its `attempt`-th consecutive failure.
        case scheduleRestart(String, after: Duration, attempt: Int)
        case cancelRestart(String)
        /// It no longer runs nor is wanted: `/readyz` stops expecting it.
        case forget(String)
    }

    /// The wait before restarting a failed pipeline: 1 s, doubling up to 1 minute.
    let restartBackoff: Backoff
    /// A pipeline that ran this long before failing starts its backoff over.
    let stableRun: Duration
    private(set) var pipelines: [String: Entry] = [:]
    private(set) var isShuttingDown = false

    init(
        restartBackoff: Backoff = .exponential(initial: .seconds(1), maximum: .seconds(60)),
        stableRun: Duration = .seconds(60)
    ) {
        self.restartBackoff = restartBackoff
        self.stableRun = stableRun
    }

    /// Every pipeline has ended after a shutdown.
    var isFinished: Bool { self.isShuttingDown && self.pipelines.isEmpty }

    /// Makes exactly the `wanted` pipelines run, each with its settings (a new configuration, or the first).
    mutating func apply(_ wanted: [(name: String, settings: PipelineRunSettings)], now: Duration) -> [Action] {
        guard !self.isShuttingDown else { return [] }
        var actions: [Action] = []
        let wantedNames = Set(wanted.map(\.name))
        for name in self.pipelines.keys.sorted() where !wantedNames.contains(name) {
            switch self.pipelines[name]!.phase {
            case .running:
                self.pipelines[name]!.phase = .draining(then: .stop)
                actions.append(.drain(name))
            case .draining:
                self.pipelines[name]!.phase = .draining(then: .stop)
            case .waitingToRestart:
                self.pipelines[name] = nil
                actions += [.cancelRestart(name), .forget(name)]
            }
        }
        for (name, settings) in wanted {
            guard var entry = self.pipelines[name] else {
                self.pipelines[name] = Entry(phase: .running(since: now), settings: settings)
                actions.append(.start(name))
                continue
            }
            guard entry.settings != settings || entry.phase == .draining(then: .stop) else { continue }
            entry.settings = settings
            switch entry.phase {
            case .running:
                entry.phase = .draining(then: .restart)
                actions.append(.drain(name))
            case .draining:
                entry.phase = .draining(then: .restart)
            case .waitingToRestart:
                entry.phase = .running(since: now)
                entry.failures = 0
                actions += [.cancelRestart(name), .start(name)]
            }
            self.pipelines[name] = entry
        }
        return actions
    }

    /// The pipeline's service ended: it failed (`failed`), or returned after a drain or by itself.
    mutating func ended(_ name: String, failed: Bool, now: Duration) -> [Action] {
        guard var entry = self.pipelines[name] else { return [] }
        switch entry.phase {
        case .running(let since):
            if self.isShuttingDown {
                self.pipelines[name] = nil
                return []
            }
            // Ended without being asked to, failed or not: it is wanted, so it starts again.
            entry.failures = now - since >= self.stableRun ? 1 : entry.failures + 1
            let delay = self.restartBackoff.delay(afterAttempt: entry.failures)
            entry.phase = .waitingToRestart(attempt: entry.failures, at: now + delay)
            self.pipelines[name] = entry
            return [.scheduleRestart(name, after: delay, attempt: entry.failures)]
        case .draining(then: .stop):
            self.pipelines[name] = nil
            return self.isShuttingDown ? [] : [.forget(name)]
        case .draining(then: .restart):
            if self.isShuttingDown {
                self.pipelines[name] = nil
                return []
            }
            entry.phase = .running(since: now)
            entry.failures = 0
            self.pipelines[name] = entry
            return [.start(name)]
        case .waitingToRestart:
            return []
        }
    }

    /// A scheduled restart is due.
    mutating func restartDue(_ name: String, now: Duration) -> [Action] {
        guard !self.isShuttingDown, var entry = self.pipelines[name],
            case .waitingToRestart(_, let at) = entry.phase, now >= at
        else { return [] }
        entry.phase = .running(since: now)
        self.pipelines[name] = entry
        return [.start(name)]
    }

    /// Drains every running pipeline for good; nothing starts again.
    mutating func shutdown(now: Duration) -> [Action] {
        self.isShuttingDown = true
        var actions: [Action] = []
        for name in self.pipelines.keys.sorted() {
            switch self.pipelines[name]!.phase {
            case .running:
                self.pipelines[name]!.phase = .draining(then: .stop)
                actions.append(.drain(name))
            case .draining:
                self.pipelines[name]!.phase = .draining(then: .stop)
            case .waitingToRestart:
                self.pipelines[name] = nil
                actions.append(.cancelRestart(name))
            }
        }
        return actions
    }
}
