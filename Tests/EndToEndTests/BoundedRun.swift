// Runs a tool on hostile input the way the robustness tests need: with a hard cap on its
// address space (so a runaway allocation fails inside the child instead of exhausting the
// test machine), a wall-clock limit, and its peak resident memory and time measured.
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What a bounded run did: the exit status or the signal that ended it, its output, and
/// what it cost.
struct BoundedRun {
    /// Exit status, or nil when a signal ended the process.
    let status: Int32?
    /// The signal that ended the process (a trap is SIGILL or SIGTRAP, an abort SIGABRT).
    let signal: Int32?
    let stdout: String
    let stderr: String
    /// Peak resident set size of the process, in bytes (wait4's ru_maxrss).
    let peakResidentBytes: Int
    let seconds: Double
    /// The run passed `timeLimit` and was killed.
    let timedOut: Bool

    var summary: String {
        let end = status.map { "exit \($0)" } ?? "signal \(signal ?? -1)"
        return "\(end), \(peakResidentBytes >> 20) MiB, \(String(format: "%.1f", seconds)) s\(timedOut ? " (timed out)" : ""), stderr: \(stderr.prefix(600))"
    }
}

extension ToolRunner {
    /// The bounds every hostile input must stay in (issue "hostile input"): 1 GiB of resident
    /// memory and 60 seconds for any input under 1 MB.
    static let hostileMemoryBound = 1 << 30
    static let hostileTimeBound = 60.0

    /// Runs `tool` with `arguments` and optional stdin bytes, its address space capped at
    /// `addressSpaceLimit` bytes and its run killed after `timeLimit` seconds.
    static func runBounded(_ tool: String, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String?] = [:],
                           addressSpaceLimit: Int = 6 << 30, timeLimit: Double = 120) throws -> BoundedRun {
        let scratch = NSTemporaryDirectory() + "bounded-run-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inPath = scratch + "/stdin", outPath = scratch + "/stdout", errPath = scratch + "/stderr"
        FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let executable = binaryDirectory.appendingPathComponent(tool).path
        // prlimit sets the cap and execs the tool in place, so the child we wait for is the tool.
        let argv = ["/usr/bin/prlimit", "--as=\(addressSpaceLimit)", "--", executable] + arguments
        let envp = env.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        // posix_spawn runs the child on this process's memory until it execs, and Linux then
        // takes this process's PEAK resident size into the child's ru_maxrss: an earlier test
        // that allocated much and freed it would be measured instead of the tool. Resetting
        // this process's peak to its current size first ("5" to clear_refs, Linux 4.0+) leaves
        // the tool's own peak (and this process's current size, kept small by running the
        // model parity tests in a process of their own: Makefile MODEL_PARITY_TESTS).
        FileManager.default.createFile(atPath: "/proc/self/clear_refs", contents: Data("5".utf8))
        let start = Date()
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, envPointers)
            }
        }
        guard spawned == 0 else { throw NSError(domain: "posix_spawn", code: Int(spawned)) }

        var waitStatus: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let done = wait4(pid, &waitStatus, WNOHANG, &usage)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw NSError(domain: "wait4", code: Int(errno)) }
            if !timedOut && Date().timeIntervalSince(start) > timeLimit {
                kill(pid, SIGKILL)
                timedOut = true
            }
            usleep(20_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let exited = (waitStatus & 0x7f) == 0
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return BoundedRun(status: exited ? (waitStatus >> 8) & 0xff : nil,
                          signal: exited ? nil : waitStatus & 0x7f,
                          stdout: read(outPath), stderr: read(errPath),
                          peakResidentBytes: Int(usage.ru_maxrss) * 1024, seconds: seconds, timedOut: timedOut)
    }

    /// Asserts a hostile input got a clean refusal: exit `status` (1, 2 or 64), an error
    /// message naming `mentions` (file, record, what to do), no trap, and the run inside
    /// the memory and time bounds.
    static func assertCleanRefusal(_ run: BoundedRun, status expected: Int32, mentions: [String] = [],
                                   _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, expected, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertFalse(run.timedOut, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertLessThanOrEqual(run.peakResidentBytes, hostileMemoryBound, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertLessThanOrEqual(run.seconds, hostileTimeBound, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertTrue(run.stderr.contains("error:") || run.stderr.contains("warning:"), "\(label): \(run.summary)", file: file, line: line)
        for text in mentions {
            XCTAssertTrue(run.stderr.contains(text), "\(label): stderr lacks \"\(text)\": \(run.summary)", file: file, line: line)
        }
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
