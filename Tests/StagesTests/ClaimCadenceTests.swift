import Testing

@testable import Stages

/// ``ClaimCadence``: each state (before the first pass, in a pass, between passes) × each event (asked whether
/// to look, told what a look found).
@Suite(.timeLimit(.minutes(1))) struct ClaimCadenceTests {
    @Test func beforeTheFirstPass_lookingStartsOneAtOnce() {
        var cadence = ClaimCadence(interval: .seconds(15))
        #expect(cadence.look(at: .seconds(3)) == .first)
    }

    @Test func inAPass_aFullPageGoesOnAtOnce_whateverTheTime() {
        var cadence = ClaimCadence(interval: .seconds(15))
        _ = cadence.look(at: .zero)
        cadence.looked(foundFullPage: true, at: .zero)
        #expect(cadence.look(at: .zero) == .next)
        cadence.looked(foundFullPage: true, at: .seconds(40))
        #expect(cadence.look(at: .seconds(40)) == .next)
    }

    @Test func aShortPage_endsThePass_andTheNextStartsAnIntervalAfterItsEnd() {
        var cadence = ClaimCadence(interval: .seconds(15))
        _ = cadence.look(at: .zero)
        cadence.looked(foundFullPage: true, at: .seconds(1))
        _ = cadence.look(at: .seconds(1))
        cadence.looked(foundFullPage: false, at: .seconds(10))
        #expect(cadence.look(at: .seconds(24)) == .none, "14 s after the pass ended")
        #expect(cadence.look(at: .seconds(25)) == .first)
    }

    @Test func betweenPasses_aFailedFirstLook_waitsForTheInterval() {
        var cadence = ClaimCadence(interval: .seconds(15))
        #expect(cadence.look(at: .zero) == .first)  // and its command fails: `looked` is not called
        #expect(cadence.look(at: .seconds(14)) == .none)
        #expect(cadence.look(at: .seconds(15)) == .first)
    }

    @Test func inAPass_aFailedLook_isMadeAgain() {
        var cadence = ClaimCadence(interval: .seconds(15))
        _ = cadence.look(at: .zero)
        cadence.looked(foundFullPage: true, at: .zero)
        #expect(cadence.look(at: .seconds(1)) == .next)  // and its command fails
        #expect(cadence.look(at: .seconds(2)) == .next)
    }
}
