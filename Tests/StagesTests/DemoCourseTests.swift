import Foundation
import Stages
import Testing

/// ``DemoCourse``: a course race timing accepts, laid out as CONTRACT §6.1 says a lap course is, and the one
/// `scripts/demo-registry.sql` registers.
@Suite(.timeLimit(.minutes(1)))
struct DemoCourseTests {
    @Test func theDemoCourse_validates_asTwoLapsOfStartThreeSplitsAndTheStartLineAgain() throws {
        let course = try DemoCourse.course()
        #expect(course.event == DemoCourse.event)
        #expect(course.checkpoints.map(\.seq) == Array(1...9))
        #expect(course.checkpoints.map(\.kind) == [.start] + Array(repeating: .split, count: 7) + [.finish])
        let startLine = course.checkpoints[0]
        for lapLine in [course.checkpoints[4], course.checkpoints[8]] {
            #expect(
                [lapLine.lat1, lapLine.lon1, lapLine.lat2, lapLine.lon2]
                    == [startLine.lat1, startLine.lon1, startLine.lat2, startLine.lon2]
            )
        }
        for (first, second) in zip(course.checkpoints[1...3], course.checkpoints[5...7]) {
            #expect(
                [first.lat1, first.lon1, first.lat2, first.lon2] == [
                    second.lat1, second.lon1, second.lat2, second.lon2,
                ]
            )
        }
        #expect(Set(course.checkpoints.map(\.id)).count == 9, "fixed, distinct ids")
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
