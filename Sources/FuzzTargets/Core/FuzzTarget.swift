// A fuzz target: a name, the largest input worth trying, and a function that feeds the
// bytes to one library entry point the tools use on untrusted input. Shared by the libFuzzer
// harness (`loce-fuzz`, built by `make fuzz`) and the corpus regression test.

/// What one input did to a target. Thrown errors of the documented kinds are clean refusals;
/// anything else is a finding (a trap ends the process before an outcome exists).
public enum FuzzOutcome: Equatable, Sendable {
    /// The input was read (it is valid, or the reader tolerates it).
    case accepted
    /// The input was refused with a documented error (`ToolError`, or `ImageDecodeError` where
    /// the API documents it); the text is the error's message.
    case refused(String)
    /// The input was refused in a way the tools cannot report cleanly (an undocumented error
    /// type, a `ToolError` that names no file, a success exit code), or an invariant broke.
    case finding(String)

    public var isFinding: Bool {
        if case .finding = self { return true }
        return false
    }
}

/// One fuzz target. `run` must return for every input: a trap, a sanitizer report, a timeout
/// or memory above the limit is a bug in the library, not in the target.
public struct FuzzTarget: Sendable {
    /// Lower-case name: the folder under `fuzz/corpus/`, `fuzz/crashes/` and `fuzz/open/`.
    public let name: String
    /// What it feeds the bytes to (for `--list` and docs/robustness.md).
    public let summary: String
    /// libFuzzer's `-max_len`: larger inputs add no new structure for this reader.
    public let maxLength: Int
    /// Runs one input.
    public let run: @Sendable (UnsafeRawBufferPointer) -> FuzzOutcome

    public init(name: String, summary: String, maxLength: Int, run: @escaping @Sendable (UnsafeRawBufferPointer) -> FuzzOutcome) {
        self.name = name
        self.summary = summary
        self.maxLength = maxLength
        self.run = run
    }

    /// Runs the input held in `bytes`.
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        bytes.withUnsafeBytes { run($0) }
    }
}
