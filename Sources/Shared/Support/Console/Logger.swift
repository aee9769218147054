// Log lines on standard error, each prefixed with the tool's name ("lvis-prep: ..."),
// so that messages stay attributable in pipelines and job-scheduler logs.

/// How much a tool says on stderr.
public enum Verbosity: Int, Sendable, Comparable {
    /// `silent`: errors only (the ranks of an MPI job other than 0, whose warnings rank 0 says).
    case silent = -1, quiet = 0, normal = 1, verbose = 2
    public static func < (a: Verbosity, b: Verbosity) -> Bool { a.rawValue < b.rawValue }
}

/// Writes "TOOL: message" lines to standard error. A value: pass it where logging is needed.
public struct Logger: Sendable {
    public let tool: String
    public var verbosity: Verbosity

    public init(tool: String, verbosity: Verbosity = .normal) {
        self.tool = tool
        self.verbosity = verbosity
    }

    /// Progress and facts the user wants in normal runs.
    public func info(_ message: @autoclosure () -> String) {
        guard verbosity >= .normal else { return }
        emit(message())
    }

    /// Details for `--verbose`.
    public func debug(_ message: @autoclosure () -> String) {
        guard verbosity >= .verbose else { return }
        emit(message())
    }

    /// Something is off but the work goes on; always shown.
    public func warning(_ message: String) {
        guard verbosity >= .quiet else { return }
        emit("warning: \(message)")
    }

    /// The run failed; always shown.
    public func error(_ message: String) {
        emit("error: \(message)")
    }

    private func emit(_ line: String) {
        StandardStreams.writeError("\(tool): \(line)\n")
    }
}
