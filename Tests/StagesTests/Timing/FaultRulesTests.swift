import Stages
import Testing

/// The rules of CONTRACT §6.2 (``FaultRules``): each rule, their order, and the `jump` rule's limits.
@Suite(.timeLimit(.minutes(1)))
struct FaultRulesTests {
    static let second: Int64 = 1_000_000
    static let t0: Int64 = 1_777_737_600_000_000
    let rules = FaultRules()

    /// A fix `seconds` after ``t0``, `north` degrees of latitude north of (54, 25).
    static func fix(at seconds: Double, north: Double = 0, satellites: Int? = nil) -> Fix {
        Fix(
            timestamp: Self.t0 + Int64((seconds * 1_000_000).rounded()),
            latitude: 54 + north,
            longitude: 25,
            satellites: satellites
        )
    }

    @Test func aFixBreakingNoRuleIsNotFaulty() {
        let reference = Self.fix(at: 0)
        let fix = Self.fix(at: 1, north: 0.0005, satellites: 4)  // 55.6 m in 1 s: 200 km/h
        #expect(rules.fault(of: fix, receivedAt: Self.t0, reference: reference) == nil)
    }

    @Test func fewSatellites_onlyWhenReportedAndBelowTheMinimum() {
        #expect(rules.fault(of: Self.fix(at: 0, satellites: 3), receivedAt: Self.t0, reference: nil) == .fewSatellites)
        #expect(rules.fault(of: Self.fix(at: 0, satellites: 0), receivedAt: Self.t0, reference: nil) == .fewSatellites)
        #expect(rules.fault(of: Self.fix(at: 0, satellites: 4), receivedAt: Self.t0, reference: nil) == nil)
        #expect(rules.fault(of: Self.fix(at: 0, satellites: nil), receivedAt: Self.t0, reference: nil) == nil)
    }

    @Test func nullIsland_onlyWhenBothAreExactlyZero() {
        let island = Fix(timestamp: Self.t0, latitude: 0, longitude: 0)
        #expect(rules.fault(of: island, receivedAt: Self.t0, reference: nil) == .nullIsland)
        let equator = Fix(timestamp: Self.t0, latitude: 0, longitude: 0.000001)
        #expect(rules.fault(of: equator, receivedAt: Self.t0, reference: nil) == nil)
        let meridian = Fix(timestamp: Self.t0, latitude: -0.000001, longitude: 0)
        #expect(rules.fault(of: meridian, receivedAt: Self.t0, reference: nil) == nil)
    }

    @Test func future_onlyMoreThanFiveMinutesAheadOfReceipt() {
        let fix = Self.fix(at: 300)
        #expect(rules.fault(of: fix, receivedAt: Self.t0, reference: nil) == nil, "exactly 5 minutes ahead")
        #expect(rules.fault(of: fix, receivedAt: Self.t0 - 1, reference: nil) == .future, "5 minutes and 1 µs")
        #expect(rules.fault(of: Self.fix(at: -3600), receivedAt: Self.t0, reference: nil) == nil, "an hour late")
    }

    @Test func jump_aboveThreeHundredKilometresAnHourFromTheReference() {
        let reference = Self.fix(at: 0)
        let fast = Self.fix(at: 1, north: 0.001)  // 111.2 m in 1 s: 400 km/h
        #expect(rules.fault(of: fast, receivedAt: Self.t0, reference: reference) == .jump)
        #expect(rules.fault(of: fast, receivedAt: Self.t0, reference: nil) == nil, "no reference, no jump")
        let slower = Self.fix(at: 2, north: 0.001)  // 200 km/h
        #expect(rules.fault(of: slower, receivedAt: Self.t0, reference: reference) == nil)
    }

    @Test func jump_timeDifferencesUnderOneSecondCountAsOneSecond() {
        let reference = Self.fix(at: 0)
        // 55.6 m in 0.1 s would be 2,000 km/h; over the 1 s minimum it is 200 km/h.
        #expect(rules.fault(of: Self.fix(at: 0.1, north: 0.0005), receivedAt: Self.t0, reference: reference) == nil)
        // 111.2 m counted over 1 s is 400 km/h, whether 0.5 s or 1 s passed.
        #expect(rules.fault(of: Self.fix(at: 0.5, north: 0.001), receivedAt: Self.t0, reference: reference) == .jump)
    }

    @Test func jump_theReferenceIsAtMostSixtySecondsOlder() {
        let reference = Self.fix(at: 0)
        // 0.09° of latitude is 10,007.6 m: 600 km/h over 60 s.
        let atSixty = Self.fix(at: 60, north: 0.09)
        #expect(rules.fault(of: atSixty, receivedAt: Self.t0, reference: reference) == .jump)
        let pastSixty = Self.fix(at: 60.000001, north: 0.09)
        #expect(rules.fault(of: pastSixty, receivedAt: Self.t0, reference: reference) == nil, "the rule does not apply")
        #expect(rules.isReference(reference, for: atSixty))
        #expect(!rules.isReference(reference, for: pastSixty))
        #expect(!rules.isReference(Self.fix(at: 1), for: Self.fix(at: 0)), "a reference is older")
        #expect(!rules.isReference(Self.fix(at: 0), for: Self.fix(at: 0)), "strictly older")
    }

    @Test func theFirstRuleThatHoldsIsTheFault() {
        let island = Fix(timestamp: Self.t0 + 3600 * Self.second, latitude: 0, longitude: 0, satellites: 2)
        let reference = Fix(timestamp: island.timestamp - Self.second, latitude: 54, longitude: 25)
        #expect(rules.fault(of: island, receivedAt: Self.t0, reference: reference) == .fewSatellites)
        var noSatellites = island
        noSatellites.satellites = nil
        #expect(rules.fault(of: noSatellites, receivedAt: Self.t0, reference: reference) == .nullIsland)
        let aheadAndFar = Self.fix(at: 3600, north: 1)
        let justBefore = Self.fix(at: 3599)
        #expect(rules.fault(of: aheadAndFar, receivedAt: Self.t0, reference: justBefore) == .future)
        #expect(rules.fault(of: aheadAndFar, receivedAt: Self.t0 + 3600 * Self.second, reference: justBefore) == .jump)
    }

    @Test func theThresholdsAreTheConfiguredOnes() {
        let strict = FaultRules(
            FaultThresholds(minSatellites: 6, maxAhead: .seconds(1), maxSpeed: 100, referenceAge: .seconds(10))
        )
        #expect(strict.fault(of: Self.fix(at: 0, satellites: 5), receivedAt: Self.t0, reference: nil) == .fewSatellites)
        #expect(strict.fault(of: Self.fix(at: 2), receivedAt: Self.t0, reference: nil) == .future)
        let reference = Self.fix(at: 0)
        let received = Self.t0 + 20 * Self.second
        #expect(strict.fault(of: Self.fix(at: 2, north: 0.0005), receivedAt: received, reference: reference) == .jump)
        #expect(strict.fault(of: Self.fix(at: 11, north: 1), receivedAt: received, reference: reference) == nil)
    }

    @Test func greatCircleDistance_matchesKnownValues() {
        let oneDegree = FaultRules.distance(
            Fix(timestamp: 0, latitude: 0, longitude: 0),
            Fix(timestamp: 0, latitude: 1, longitude: 0)
        )
        #expect(abs(oneDegree - 111_195.080_233_5) < 0.001, "R·π/180 with R = 6,371,008.8 m")
        let alongTheEquator = FaultRules.distance(
            Fix(timestamp: 0, latitude: 0, longitude: 179.5),
            Fix(timestamp: 0, latitude: 0, longitude: -179.5)
        )
        #expect(abs(alongTheEquator - 111_195.080_233_5) < 0.001, "across the antimeridian")
        // Vilnius (54.687157, 25.279652) to Kaunas (54.898214, 23.903597): 91,282.825 m by haversine.
        let vilniusKaunas = FaultRules.distance(
            Fix(timestamp: 0, latitude: 54.687157, longitude: 25.279652),
            Fix(timestamp: 0, latitude: 54.898214, longitude: 23.903597)
        )
        #expect(abs(vilniusKaunas - 91_282.825) < 0.01)
    }
}
