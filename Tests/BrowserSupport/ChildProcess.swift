import Foundation
import Synchronization

/// A child process started with `posix_spawn` and reaped with `waitpid` on a thread of its own.
///
/// Foundation's `Process` was seen here to miss a child's exit (the child stayed `<defunct>` and
/// `terminationHandler` never ran), hanging the test; this does the two system calls itself.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Set once, by the reaping thread.
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout and stderr go to `outputFile`
    /// (or /dev/null).
    public init(_ executable: String, _ arguments: [String], outputFile: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            throw HarnessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        let child = pid
        let thread = Thread { [self] in
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are C macros).
            let signal = raw & 0x7F
            let code = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
            self.status.withLock { $0 = code }
        }
        thread.start()
    }

    /// The child has exited (and was reaped).
    public var hasExited: Bool { self.status.withLock { $0 } != nil }

    public func kill(_ signal: Int32) {
        Foundation.kill(self.pid, signal)
    }

    /// The exit status (128 + signal when killed by one), without blocking a Swift concurrency thread.
    public func exitStatus() async -> Int32 {
        while true {
            if let status = self.status.withLock({ $0 }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
