// Options every tool takes (`--threads`, `--quiet`, `--verbose`) and the run context they
// produce: a logger, a thread count for our loops, and BLAS set to the same count.
import ArgumentParser

public struct RuntimeOptions: ParsableArguments, Sendable {
    /// `--threads`: at most 1024 (each thread may hold a workspace of its own).
    public static let threadRange = OptionRange(1...1024)

    @Option(name: .long, parsing: .unconditional, help: "Threads for BLAS and our parallel loops, \(RuntimeOptions.threadRange), per rank in an MPI job (default: all cores, shared by the ranks on a machine).")
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

    public var resolvedThreads: Int { threads ?? LaunchEnvironment.defaultThreads() }

    public var verbosity: Verbosity { quiet ? .quiet : (verbose ? .verbose : .normal) }

    /// Builds the run context. With `usesBLAS`, OpenBLAS is loaded (with the best kernel),
    /// single-threaded (GEMM spreads its own tiles over the threads: `GEMM`), and its
    /// kernel logged in verbose mode.
    ///
    /// Under an MPI launcher, a command that runs across ranks (`acrossRanks`) joins the job
    /// (`ProcessGroup.current`; ranks other than 0 then print errors only); any
    /// other command refuses to run several times over (exit 64).
    public func makeContext(tool: String, usesBLAS: Bool, acrossRanks: Bool = false) throws -> ToolContext {
        var processes = ProcessGroup.single
        if let launch = LaunchEnvironment.detect() {
            guard acrossRanks else {
                throw ToolError.usage("this command does not run across MPI ranks (started by \(launch.launcher.rawValue))",
                                      hint: "run it as one process, without mpirun/srun (or with LOCE_MPI=off)")
            }
            processes = try ProcessGroup.current
        }
        let logger = Logger(tool: tool, verbosity: processes.isRoot ? verbosity : .silent)
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
        return ToolContext(logger: logger, parallelism: Parallelism(threads: count), blas: blas, processes: processes)
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
    /// The MPI job this command runs in (`single` without a launcher).
    public let processes: ProcessGroup
}
