// The exit codes every tool documents (docs/design.md §Command-line conventions).

/// Process exit status of the four tools. Chosen to match sysexits(3) where one exists.
public enum ToolExitCode: Int32, Sendable, CaseIterable {
    /// Everything worked.
    case success = 0
    /// Bad data: a malformed file, a record that cannot be used, a checksum mismatch.
    case dataError = 1
    /// The work finished but some records were skipped or some outputs are incomplete;
    /// the log says which. (ripgrep's "something went wrong, the rest went on".)
    case partialFailure = 2
    /// Bad command line: unknown flag, missing argument, invalid value (EX_USAGE).
    case usage = 64
    /// A native library or other part of the installation is missing (EX_UNAVAILABLE).
    case unavailable = 69
    /// An input or output file could not be opened or written (EX_IOERR).
    case ioError = 74
    /// Interrupted by SIGINT (128 + 2), as shells report it.
    case interrupted = 130
    /// Stopped by SIGTERM (128 + 15), as shells report it.
    case terminated = 143

    /// The status of a run stopped by `signal` (SIGINT: 130, anything else: 143).
    public init(stoppedBy signal: Int32) {
        self = signal == 2 ? .interrupted : .terminated
    }
}
