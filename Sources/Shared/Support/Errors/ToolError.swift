// The one error type that reaches the command-line edge: what went wrong, where (file and
// record), and what the user can do about it, plus the exit code it maps to.

/// An error meant for a person: it names the file and the record and says what to do.
///
/// Library code throws `ToolError` for bad data; `precondition` is for programmer errors.
public struct ToolError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// The file the problem is in (`-` for standard input), if any.
    public var file: String?
    /// The offending record: "annotation 17", "line 3, column 9", "image id 42".
    public var record: String?
    /// What to do about it: "regenerate it with `lvis-prep convert ...`".
    public var hint: String?
    public var exitCode: ToolExitCode

    public init(_ message: String, file: String? = nil, record: String? = nil,
                hint: String? = nil, exitCode: ToolExitCode = .dataError) {
        self.message = message
        self.file = file
        self.record = record
        self.hint = hint
        self.exitCode = exitCode
    }

    public static func usage(_ message: String, hint: String? = nil) -> ToolError {
        ToolError(message, hint: hint, exitCode: .usage)
    }

    public static func io(_ message: String, file: String, hint: String? = nil) -> ToolError {
        ToolError(message, file: file, hint: hint, exitCode: .ioError)
    }

    /// "FILE: RECORD: MESSAGE (HINT)" with the parts that are known.
    public var description: String {
        var text = ""
        if let file { text += "\(file): " }
        if let record { text += "\(record): " }
        text += message
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    /// The same error, located in `file` if it did not name one yet.
    public func inFile(_ path: String) -> ToolError {
        var copy = self
        if copy.file == nil { copy.file = path }
        return copy
    }
}
