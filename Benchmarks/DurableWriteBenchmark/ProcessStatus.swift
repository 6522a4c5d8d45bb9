import Foundation
import Stages

/// Figures about a running process, read from /proc.
enum ProcessStatus {
    /// The process's peak resident set (VmHWM), in KiB.
    static func peakResidentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// User + system CPU time the process has used so far, in seconds.
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// The whole machine's CPU counters (/proc/stat), to tell how busy every process together was.
struct MachineCPU {
    var busyTicks: Double

    static func read() -> MachineCPU {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first
        else { return MachineCPU(busyTicks: 0) }
        // cpu user nice system idle iowait irq softirq steal ...
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        let idle = values.count > 4 ? values[3] + values[4] : 0
        return MachineCPU(busyTicks: values.reduce(0, +) - idle)
    }

    func busySeconds(since start: MachineCPU) -> Double {
        (self.busyTicks - start.busyTicks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Whether the consumer group has had every entry of the stream delivered and acknowledged.
func groupIsDone(redis: RedisConnection, stream: String, group: String) async throws -> Bool {
    let groups = try await redis.send(["XINFO", "GROUPS", RedisArgument(stream)]).array ?? []
    for info in groups {
        let fields = info.array ?? []
        var values: [String: RedisReply] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let key = fields[index].string { values[key] = fields[index + 1] }
            index += 2
        }
        guard values["name"]?.string == group else { continue }
        return values["lag"]?.integer == 0 && values["pending"]?.integer == 0
    }
    return false
}
