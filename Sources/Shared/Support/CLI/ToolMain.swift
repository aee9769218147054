// The entry point every tool shares: parse, run, and turn errors into the documented
// exit codes and messages (usage errors 64, data errors 1, help/version to stdout, 0).
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

public enum ToolMain {
    /// Parses the command line for `Root`, runs the chosen command and exits.
    public static func run<Root: ParsableCommand>(_ root: Root.Type, tool: String,
                                                  arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        StandardStreams.ignoreSIGPIPE()
        // LOCE_ISA is checked before anything runs: a path the CPU cannot run would be an
        // illegal instruction later, an unknown one a silent typo.
        let vectorISA: VectorISA.Choice
        switch VectorISA.processChoice {
        case .success(let choice): vectorISA = choice
        case .failure(let error):
            StandardStreams.writeError("\(tool): error: \(error)\n")
            exit(error.exitCode.rawValue)
        }
        // `--version` names the active BLAS kernel, which needs OpenBLAS loaded; answer it
        // here so that ordinary runs load BLAS only when they use it.
        if arguments.contains("--version") && !arguments.contains("--help") && !arguments.contains("-h") {
            let output = StandardOutput()
            output.write(ToolVersion.text(tool: tool, vectorISA: vectorISA) + "\n")
            output.flush()
            exit(ToolExitCode.success.rawValue)
        }
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            finish(ToolExitCode.success.rawValue)
        } catch let error as ToolError {
            // Exit 2 means the work finished (some records skipped): a warning, not an error.
            let severity = error.exitCode == .partialFailure ? "warning" : "error"
            if !ProcessGroup.isFollowerOfAgreedStop {
                StandardStreams.writeError("\(tool): \(rankPrefix)\(severity): \(error)\n")
            }
            finish(error.exitCode.rawValue)
        } catch {
            let code = root.exitCode(for: error)
            let text = root.fullMessage(for: error)
            if code == .success {
                // --help and --version go to stdout.
                let output = StandardOutput()
                output.write(text.hasSuffix("\n") ? text : text + "\n")
                output.flush()
                exit(0)
            }
            // Usage errors: "TOOL: error: ..." then the usage, all on stderr.
            var message = text
            if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
            StandardStreams.writeError("\(tool): \(message)\(message.hasSuffix("\n") ? "" : "\n")")
            finish(code.rawValue)
        }
    }

    /// Exits with `code`, first ending MPI when this process is a rank of a job
    /// (`ProcessGroup.finish`: finalize after success or an agreed stop, abort after an error).
    private static func finish(_ code: Int32) -> Never {
        ProcessGroup.finish(exitCode: code)
        exit(code)
    }

    /// "rank 1 of 4: " in a job of several ranks (which rank said it), else "".
    private static var rankPrefix: String {
        guard let group = ProcessGroup.joined, group.isDistributed else { return "" }
        return "rank \(group.rank) of \(group.size): "
    }
}
