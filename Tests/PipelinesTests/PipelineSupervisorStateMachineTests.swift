import Foundation
import Testing

@testable import Pipelines

/// Each phase of a supervised pipeline × each event, on the pure state machine.
@Suite(.timeLimit(.minutes(1))) struct PipelineSupervisorStateMachineTests {
    typealias Machine = PipelineSupervisorStateMachine

    /// The settings a pipeline runs with; `stream` tells two apart.
    static func settings(_ stream: String = "telemetry:t") -> PipelineRunSettings {
        var configuration = FlowrunConfiguration()
        configuration.pipelines.durableWrite.enabled = true
        configuration.pipelines.durableWrite.stream = stream
        return DurableWrite.runsWith(configuration)
    }

    static let a = settings()
    static let b = settings("other")

    func machine(running names: [String] = [], at now: Duration = .zero) -> Machine {
        var machine = Machine()
        _ = machine.apply(names.map { ($0, Self.a) }, now: now)
        return machine
    }

    @Test func nothing_applyWanted_startsEach() {
        var machine = Machine()
        #expect(machine.apply([("dw", Self.a), ("live", Self.a)], now: .zero) == [.start("dw"), .start("live")])
        #expect(machine.pipelines["dw"]?.phase == .running(since: .zero))
    }

    @Test func running_applySameSettings_doesNothing() {
        var machine = self.machine(running: ["dw"])
        #expect(machine.apply([("dw", Self.a)], now: .seconds(5)).isEmpty)
    }

    @Test func running_applyUnwanted_drainsThenForgets() {
        var machine = self.machine(running: ["dw"])
        #expect(machine.apply([], now: .seconds(1)) == [.drain("dw")])
        #expect(machine.pipelines["dw"]?.phase == .draining(then: .stop))
        #expect(machine.ended("dw", failed: false, now: .seconds(2)) == [.forget("dw")])
        #expect(machine.pipelines["dw"] == nil)
    }

    @Test func running_applyOtherSettings_drainsThenStartsWithThem() {
        var machine = self.machine(running: ["dw"])
        #expect(machine.apply([("dw", Self.b)], now: .seconds(1)) == [.drain("dw")])
        #expect(machine.pipelines["dw"]?.phase == .draining(then: .restart))
        #expect(machine.ended("dw", failed: false, now: .seconds(2)) == [.start("dw")])
        #expect(machine.pipelines["dw"]?.settings == Self.b)
        #expect(machine.pipelines["dw"]?.phase == .running(since: .seconds(2)))
    }

    @Test func drainingToStop_applyWantedAgain_restartsOnceDrained() {
        var machine = self.machine(running: ["dw"])
        _ = machine.apply([], now: .seconds(1))
        #expect(machine.apply([("dw", Self.a)], now: .seconds(2)).isEmpty, "it is still draining")
        #expect(machine.ended("dw", failed: false, now: .seconds(3)) == [.start("dw")])
    }

    @Test func running_endedFailed_schedulesARestartAfterTheBackoff_andLeavesOthersAlone() {
        var machine = self.machine(running: ["dw", "live"])
        let actions = machine.ended("live", failed: true, now: .seconds(1))
        #expect(actions == [.scheduleRestart("live", after: .seconds(1), attempt: 1)])
        #expect(machine.pipelines["live"]?.phase == .waitingToRestart(attempt: 1, at: .seconds(2)))
        #expect(machine.pipelines["dw"]?.phase == .running(since: .zero), "the other pipeline keeps running")
    }

    @Test func running_endedWithoutBeingAsked_isRestartedToo() {
        var machine = self.machine(running: ["dw"])
        #expect(
            machine.ended("dw", failed: false, now: .seconds(1)) == [
                .scheduleRestart("dw", after: .seconds(1), attempt: 1)
            ]
        )
    }

    @Test func failingAgainSoon_backoffGrows_upToItsMaximum() {
        var machine = self.machine(running: ["live"])
        var delays: [Duration] = []
        var now = Duration.zero
        for _ in 1...8 {
            guard case .scheduleRestart(_, let delay, _)? = machine.ended("live", failed: true, now: now).first else {
                Issue.record("expected a restart")
                return
            }
            delays.append(delay)
            now += delay
            #expect(machine.restartDue("live", now: now) == [.start("live")])
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
    }

    @Test func failingAfterAStableRun_backoffStartsOver() {
        var machine = self.machine(running: ["live"])
        _ = machine.ended("live", failed: true, now: .seconds(1))
        _ = machine.restartDue("live", now: .seconds(2))
        _ = machine.ended("live", failed: true, now: .seconds(3))
        #expect(machine.pipelines["live"]?.phase == .waitingToRestart(attempt: 2, at: .seconds(5)))
        _ = machine.restartDue("live", now: .seconds(5))
        let actions = machine.ended("live", failed: true, now: .seconds(5) + machine.stableRun)
        #expect(actions == [.scheduleRestart("live", after: .seconds(1), attempt: 1)])
    }

    @Test func waitingToRestart_restartDueEarly_doesNothing() {
        var machine = self.machine(running: ["live"])
        _ = machine.ended("live", failed: true, now: .zero)
        #expect(machine.restartDue("live", now: .milliseconds(999)).isEmpty)
        #expect(machine.restartDue("live", now: .seconds(1)) == [.start("live")])
    }

    @Test func waitingToRestart_applyUnwanted_cancelsAndForgets() {
        var machine = self.machine(running: ["live"])
        _ = machine.ended("live", failed: true, now: .zero)
        #expect(machine.apply([], now: .milliseconds(10)) == [.cancelRestart("live"), .forget("live")])
        #expect(machine.restartDue("live", now: .seconds(10)).isEmpty)
    }

    @Test func waitingToRestart_applyOtherSettings_startsNowWithThem() {
        var machine = self.machine(running: ["live"])
        _ = machine.ended("live", failed: true, now: .zero)
        #expect(machine.apply([("live", Self.b)], now: .milliseconds(10)) == [.cancelRestart("live"), .start("live")])
        #expect(machine.pipelines["live"]?.settings == Self.b)
    }

    @Test func shutdown_drainsRunning_cancelsWaiting_andStartsNothingAfter() {
        var machine = self.machine(running: ["dw", "live"])
        _ = machine.ended("live", failed: true, now: .zero)
        #expect(machine.shutdown(now: .seconds(1)) == [.drain("dw"), .cancelRestart("live")])
        #expect(!machine.isFinished)
        #expect(machine.apply([("other", Self.a)], now: .seconds(1)).isEmpty)
        #expect(
            machine.ended("dw", failed: true, now: .seconds(2)).isEmpty,
            "a failure while shutting down restarts nothing"
        )
        #expect(machine.isFinished)
    }

    @Test func drainingToRestart_shutdown_stopsInstead() {
        var machine = self.machine(running: ["dw"])
        _ = machine.apply([("dw", Self.b)], now: .seconds(1))
        #expect(machine.shutdown(now: .seconds(2)).isEmpty, "already draining")
        #expect(machine.ended("dw", failed: false, now: .seconds(3)).isEmpty)
        #expect(machine.isFinished)
    }

    @Test func nothingRunning_shutdown_isFinishedAtOnce() {
        var machine = Machine()
        #expect(machine.shutdown(now: .zero).isEmpty)
        #expect(machine.isFinished)
    }
}
