import Foundation

/// Figures about a running process, read from /proc.
public enum ProcessStatus {
    /// The process's peak resident set (VmHWM), in KiB.
    public static func peakResidentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// User + system CPU time the process has used so far, in seconds.
    public static func cpuSeconds(of pid: Int32) -> Double? {
        self.cpuSeconds(stat: "/proc/\(pid)/stat")
    }

    /// User + system CPU time one thread of a process has used so far, in seconds: `tid` is `pid` for its
    /// main thread.
    public static func cpuSeconds(ofThread tid: Int32, in pid: Int32) -> Double? {
        self.cpuSeconds(stat: "/proc/\(pid)/task/\(tid)/stat")
    }

    private static func cpuSeconds(stat path: String) -> Double? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The whole machine's busy CPU time so far (/proc/stat: everything but idle and iowait), in seconds.
    public static func machineBusySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first
        else { return 0 }
        // cpu user nice system idle iowait irq softirq steal ...
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        let idle = values.count > 4 ? values[3] + values[4] : 0
        return (values.reduce(0, +) - idle) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

extension ProcessStatus {
    /// The parent of a process (/proc/PID/stat field 4).
    public static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// User + system CPU time so far of `pid` and of its children alive now (a PostgreSQL postmaster and its
    /// backends), in seconds.
    public static func cpuSeconds(ofTree pid: Int32) -> Double {
        let children =
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?
            .compactMap { Int32($0) }
            .filter { self.parent(of: $0) == pid } ?? []
        return ([pid] + children).compactMap { self.cpuSeconds(of: $0) }.reduce(0, +)
    }
}

extension ProcessStatus {
    /// The process's resident set now (VmRSS), in KiB.
    public static func residentKiB(of pid: Int32) -> Int? {
        self.statusKiB("VmRSS", of: pid)
    }

    /// The anonymous part of the resident set now (RssAnon: heap, stacks; not the mapped binary), in KiB.
    public static func anonymousResidentKiB(of pid: Int32) -> Int? {
        self.statusKiB("RssAnon", of: pid)
    }

    private static func statusKiB(_ field: String, of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    }
}
