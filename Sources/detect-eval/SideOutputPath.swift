// Side outputs (`--per-category`, `--plot`, `--chart`, `--out`) are files: stdout already
// carries each subcommand's main output, so `-` (stdout elsewhere) is a usage error here.
import ArgumentParser

enum SideOutputPath {
    /// Throws a usage error when `path` is `-`; `stdoutCarries` says what stdout holds.
    static func check(_ path: String?, option: String, stdoutCarries: String, example: String) throws {
        guard path == "-" else { return }
        throw ValidationError("\(option) -: stdout already carries \(stdoutCarries), so `-` cannot mean stdout here; give a path instead (e.g. \(option) \(example))")
    }
}
