// race-timing-benchmark: a simulated race of the demo course pre-loaded in a stream, drained by race-timing
// and by durable-write, each alone, in the same run; the crossings checked against the simulator's truth and
// against CONTRACT §6's definition.
//
//   scripts/benchmark-timing.sh [--devices N] [--noise-m σ] [--faulty F] [--offline F] [--runs R] [--quick]
import BenchmarkSupport
import Foundation
import Stages

@main
enum RaceTimingBenchmark {
    static func main() async {
        do {
            guard let options = try TimingBenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
                print(TimingBenchmarkOptions.usage)
                return
            }
            let environment = try BenchmarkEnvironment(
                ProcessInfo.processInfo.environment,
                script: "scripts/benchmark-timing.sh",
                others: ["FLOWRUN_REGISTRY_SQL"]
            )
            let redis = try RedisConnection(url: environment.redisURL, name: "timingbench")
            let course = try DemoCourse.course()
            print(
                "race-timing-benchmark: \(options.devices) racers (+1 spare tracker) on the demo course"
                    + " (\(course.checkpoints.count) checkpoints), \(options.seconds) s at 1 Hz, faulty"
                    + " \(options.faulty), offline \(options.offline); flowrun with its defaults"
            )
            for run in 1...options.runs {
                var races: [RaceMeasurement] = []
                for noise in [0, options.noise] {
                    let race = SimulatedRace(
                        options: options,
                        environment: environment,
                        noise: noise,
                        name: "\(getpid())_\(run)_\(races.count)"
                    )
                    races.append(try await race.run(redis: redis))
                }
                if options.runs > 1 { print("run \(run) of \(options.runs)") }
                TimingReport(races: races).print()
            }
            await redis.close()
        } catch {
            FileHandle.standardError.write(Data("race-timing-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }
}
