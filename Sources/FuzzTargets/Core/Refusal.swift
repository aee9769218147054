// Tells a clean refusal from a finding: the tools print a `ToolError` (file, record, hint,
// exit code) and image codecs throw `ImageDecodeError`, which the tools turn into one. Any
// other error type reaches the command-line edge without a file or a hint.
import SharedData
import SharedSupport

enum Refusal {
    /// Runs `body`: `.accepted` if it returns, else the classified error. `file` is the path
    /// the entry point was given (its errors must name it); nil for APIs that take bytes
    /// (their callers add the file). `imageErrors` accepts `ImageDecodeError` as documented.
    static func outcome(file: String?, imageErrors: Bool = false, _ body: () throws -> FuzzOutcome) -> FuzzOutcome {
        do {
            return try body()
        } catch {
            return classify(error, file: file, imageErrors: imageErrors)
        }
    }

    static func classify(_ error: Error, file: String?, imageErrors: Bool) -> FuzzOutcome {
        if let tool = error as? ToolError {
            if let file, !(tool.file?.hasPrefix(file) ?? false) {
                return .finding("a ToolError that does not name the file \(file): \(tool)")
            }
            guard tool.exitCode != .success else { return .finding("a ToolError with exit code 0: \(tool)") }
            return .refused(tool.description)
        }
        if imageErrors, let image = error as? ImageDecodeError { return .refused(image.description) }
        return .finding("an undocumented error type \(type(of: error)) (no file, record or hint reaches the user): \(error)")
    }
}
