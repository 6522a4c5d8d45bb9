import BenchmarkSupport
import Foundation
import Stages
import Testing

/// Benchmarks drop the databases that interrupted runs left behind, and only those.
extension Integration {
    @Suite struct AbandonedDatabasesTests {
        @Test func namesAfterAProcess_areTheBenchmarksOwn() {
            #expect(AbandonedDatabases.process(of: "flowrun_bench_123") == 123)
            #expect(AbandonedDatabases.process(of: "flowrun_prefill_123_hypertable") == 123)
            #expect(AbandonedDatabases.process(of: "flowrun_timingbench_7_1_3") == 7)
            #expect(AbandonedDatabases.process(of: "flowrun_livebench_42") == 42)
            for other in ["flowrun", "flowrun_bench_", "flowrun_bench_12x", "flowrun_scratch_1a2b", "flowrun_bench"] {
                #expect(AbandonedDatabases.process(of: other) == nil, "\(other)")
            }
        }

        @Test func aFinishedProcesssDatabases_areDropped_aRunningOnesAndOthersKept() async throws {
            // A process that has ended: nothing runs under its pid (until the kernel reuses it, long after).
            let finished = Process()
            finished.executableURL = URL(fileURLWithPath: "/bin/true")
            try finished.run()
            finished.waitUntilExit()
            let gone = finished.processIdentifier
            #expect(!AbandonedDatabases.isRunning(gone))
            #expect(AbandonedDatabases.isRunning(getpid()))

            let admin = PostgresConnection(url: try Servers().postgresURL, name: "test-admin")
            let abandoned = ["flowrun_bench_\(gone)", "flowrun_timingbench_\(gone)_1_2"]
            let kept = ["flowrun_bench_\(getppid())", "flowrun_benchmark_\(gone)"]  // the parent runs
            for name in abandoned + kept {
                try await admin.execute("DROP DATABASE IF EXISTS \(name)")
                try await admin.execute("CREATE DATABASE \(name)")
            }
            try await AbandonedDatabases.drop(on: admin)
            let left = Set(try await admin.query("SELECT datname FROM pg_database").rows.compactMap { $0[0] })
            for name in kept { try await admin.execute("DROP DATABASE IF EXISTS \(name)") }
            await admin.close()
            #expect(left.isDisjoint(with: abandoned), "the finished process's databases are dropped")
            #expect(left.isSuperset(of: kept), "a running process's database and another name are kept")
        }
    }
}
