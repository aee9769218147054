// Options every tool takes (`--threads`, `--quiet`, `--verbose`) and the run context they
// produce: a logger, a thread count for our loops, and BLAS set to the same count.
import ArgumentParser

public struct RuntimeOptions: ParsableArguments, Sendable {
    /// `--threads`: at most 1024 (each thread may hold a workspace of its own).
    public static let threadRange = OptionRange(1...1024)

    @Option(name: .long, parsing: .unconditional, help: "Threads for BLAS and our parallel loops, \(RuntimeOptions.threadRange) (default: all cores).")
    public var threads: Int?

    @Flag(name: .shortAndLong, help: "Only print errors and warnings on stderr.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Print more detail on stderr.")
    public var verbose = false

    public init() {}

    public func validate() throws {
        try Self.threadRange.check(threads, option: "--threads")
        if quiet && verbose {
            throw ValidationError("--quiet and --verbose cannot be used together")
        }
    }

    public var resolvedThreads: Int { threads ?? availableCores() }

    public var verbosity: Verbosity { quiet ? .quiet : (verbose ? .verbose : .normal) }

    /// Builds the run context. With `usesBLAS`, OpenBLAS is loaded (with the best kernel),
    /// single-threaded (GEMM spreads its own tiles over the threads: `GEMM`), and its
    /// kernel logged in verbose mode.
    public func makeContext(tool: String, usesBLAS: Bool) throws -> ToolContext {
        let logger = Logger(tool: tool, verbosity: verbosity)
        let count = resolvedThreads
        var blas: BLASRuntime?
        if usesBLAS {
            // No OpenBLAS thread pool: its idle threads would spin against our loops.
            setenv("OPENBLAS_NUM_THREADS", "1", 1)
            let runtime = try BLASRuntime.shared
            runtime.setThreads(1)
            logger.debug("BLAS: \(runtime.summary)")
            blas = runtime
        }
        return ToolContext(logger: logger, parallelism: Parallelism(threads: count), blas: blas)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// What a running command needs from its environment; passed down explicitly.
public struct ToolContext: Sendable {
    public let logger: Logger
    public let parallelism: Parallelism
    public let blas: BLASRuntime?
}
