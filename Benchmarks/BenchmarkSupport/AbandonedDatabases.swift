import Foundation
import Stages

/// The databases benchmark runs leave behind when interrupted (Ctrl-C, a timeout, a crash): each run names
/// its database after its process (`flowrun_bench_<pid>`, `flowrun_prefill_<pid>_<shape>`,
/// `flowrun_livebench_<pid>`, `flowrun_timingbench_<pid>_<run>_<races>`) and drops it when it ends.
///
/// Each one left holds up to a million rows and, on TimescaleDB, a background scheduler that wakes on its
/// own: work on the machine the next measurement shares. So every benchmark drops, before it starts, the
/// ones whose process is gone, and says which.
public enum AbandonedDatabases {
    /// The kinds of name, each followed by `_<pid>`.
    static let kinds = ["bench", "prefill", "livebench", "timingbench"]

    /// The process a benchmark database is named after, if `name` is one.
    public static func process(of name: String) -> Int32? {
        for kind in Self.kinds {
            let prefix = "flowrun_\(kind)_"
            guard name.hasPrefix(prefix) else { continue }
            let digits = name.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
            let after = name.dropFirst(prefix.count + digits.count)
            guard !digits.isEmpty, after.isEmpty || after.first == "_" else { return nil }
            return Int32(digits)
        }
        return nil
    }

    /// Whether process `pid` exists (signal 0 checks without sending; EPERM: it exists, another user's).
    public static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Drops the benchmark databases on `admin`'s server whose process is no longer running, and prints one
    /// line per database dropped.
    public static func drop(on admin: PostgresConnection) async throws {
        let names = try await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'flowrun\\_%'")
            .rows.compactMap { $0[0] }
        for name in names {
            guard let pid = Self.process(of: name), pid != getpid(), !Self.isRunning(pid) else { continue }
            try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            print("dropped database \(name): left by benchmark process \(pid), which is no longer running")
        }
    }
}
