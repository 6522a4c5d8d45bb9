import Foundation
import Stages
import Testing

/// ``DemoCourse``: a course race timing accepts, laid out as CONTRACT §6.1 says a lap course is, and the one
/// `scripts/demo-registry.sql` registers.
@Suite(.timeLimit(.minutes(1)))
struct DemoCourseTests {
    @Test func theDemoCourse_validates_asThreeLapsOfTheStartLineAndTwoSplits_tenCheckpoints() throws {
        let course = try DemoCourse.course()
        #expect(course.event == DemoCourse.event)
        #expect(course.checkpoints.map(\.seq) == Array(1...10))
        #expect(course.checkpoints.map(\.kind) == [.start] + Array(repeating: .split, count: 8) + [.finish])
        #expect(
            course.checkpoints.map(\.name) == [
                "Start", "Lap 1 split 1", "Lap 1 split 2", "Lap 1", "Lap 2 split 1", "Lap 2 split 2", "Lap 2",
                "Lap 3 split 1", "Lap 3 split 2", "Finish",
            ]
        )
        func gate(_ checkpoint: Checkpoint) -> [Double] {
            [checkpoint.lat1, checkpoint.lon1, checkpoint.lat2, checkpoint.lon2]
        }
        // Each lap repeats the first lap's three gates: the start line, split 1, split 2.
        for lap in 1..<3 {
            for index in 0..<3 {
                #expect(gate(course.checkpoints[3 * lap + index]) == gate(course.checkpoints[index]))
            }
        }
        #expect(gate(course.checkpoints[9]) == gate(course.checkpoints[0]), "the finish is the start line")
        #expect(Set(course.checkpoints[0..<3].map(gate)).count == 3, "three distinct gates")
        #expect(Set(course.checkpoints.map(\.id)).count == 10, "fixed, distinct ids")
        for checkpoint in course.checkpoints {
            #expect(abs(checkpoint.length - 60) < 0.1, "seq \(checkpoint.seq) is \(checkpoint.length) m")
        }
        let distances = DemoCourse.checkpoints.map(\.distance)
        #expect(distances == distances.sorted(), "the route passes the checkpoints in seq order")
    }

    @Test func everyGate_crossesThePathAtARightAngle_inItsMiddle() throws {
        for (checkpoint, distance) in DemoCourse.checkpoints {
            let before = DemoCourse.path.point(at: distance - 5)
            let after = DemoCourse.path.point(at: distance + 5)
            let a = Fix(timestamp: 0, latitude: before.latitude, longitude: before.longitude)
            let b = Fix(timestamp: 10_000_000, latitude: after.latitude, longitude: after.longitude)
            let fraction = try #require(
                Stages.CheckpointGate(checkpoint).crossing(from: a, to: b),
                "seq \(checkpoint.seq)"
            )
            #expect(abs(fraction - 0.5) < 1e-6)
            // In the projection of CONTRACT §6.3: x = Δlon·cos(lat₀), y = Δlat.
            let cosine = cos(before.latitude * .pi / 180)
            let gate = ((checkpoint.lon2 - checkpoint.lon1) * cosine, checkpoint.lat2 - checkpoint.lat1)
            let path = ((after.longitude - before.longitude) * cosine, after.latitude - before.latitude)
            let dot = (gate.0 * path.0 + gate.1 * path.1)
            let lengths =
                (gate.0 * gate.0 + gate.1 * gate.1).squareRoot() * (path.0 * path.0 + path.1 * path.1).squareRoot()
            #expect(abs(dot / lengths) < 1e-6, "seq \(checkpoint.seq) is not at a right angle")
        }
    }

    /// Walking the loop once in 1 m steps crosses each of its three gates exactly once, where the course says:
    /// no gate reaches another leg, so no lap counts a gate twice.
    @Test func walkingTheLoopOnce_crossesEachGateOnce_atItsDistance() throws {
        let path = DemoCourse.path
        let steps = Int(path.length)
        for (checkpoint, distance) in DemoCourse.checkpoints.prefix(3) {
            let gate = Stages.CheckpointGate(checkpoint)
            var crossed: [Double] = []
            for step in 0..<steps {
                let a = path.point(at: Double(step))
                let b = path.point(at: Double(step + 1))
                if gate.crossing(
                    from: Fix(timestamp: 0, latitude: a.latitude, longitude: a.longitude),
                    to: Fix(timestamp: 1_000_000, latitude: b.latitude, longitude: b.longitude)
                ) != nil {
                    crossed.append(Double(step))
                }
            }
            #expect(crossed.count == 1, "seq \(checkpoint.seq) crossed at \(crossed)")
            #expect(crossed.allSatisfy { abs($0 - distance) <= 1 }, "seq \(checkpoint.seq) at \(distance) m")
        }
    }

    @Test func demoRegistrySQL_holdsTheCourseBlock_exactlyAsSwiftPrintsIt() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = try String(contentsOf: root.appendingPathComponent("scripts/demo-registry.sql"), encoding: .utf8)
        let begin = try #require(script.range(of: DemoCourse.sqlBegin), "the script has no course block")
        let end = try #require(script.range(of: DemoCourse.sqlEnd, range: begin.upperBound..<script.endIndex))
        let block = String(script[begin.lowerBound..<end.upperBound])
        #expect(
            block == DemoCourse.registrySQL,
            "scripts/demo-registry.sql and DemoCourse.swift differ: replace the block with `flowrun simulate --print-course-sql`"
        )
    }

    @Test func aTruthLine_isTheDocumentedJSON_withTheTimeRoundedToTheMillisecond() {
        let crossing = TruthCrossing(
            device: "356307042441013",
            event: DemoCourse.event,
            checkpoint: "00000000-0000-4000-8003-000000000001",
            seq: 1,
            time: 1_777_737_611_481_500
        )
        #expect(
            crossing.jsonLine
                == "{\"device_id\":\"356307042441013\",\"event_id\":\"00000000-0000-4000-8000-00000000d001\","
                + "\"checkpoint_id\":\"00000000-0000-4000-8003-000000000001\",\"seq\":1,"
                + "\"ts\":\"2026-05-02T16:00:11.482Z\"}"
        )
    }
}
