// Raw access to stdout and stderr: terminal detection, unbuffered stderr writes, and a
// buffered stdout writer that ends the process quietly on a broken pipe (`tool | head`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum StandardStreams {
    /// Whether standard error is a terminal (progress bars redraw only there).
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    /// Whether standard output is a terminal.
    public static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Ignore SIGPIPE so a closed reader shows up as EPIPE from write(), which
    /// `StandardOutput` turns into a quiet exit 0 (ripgrep's behaviour).
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes all of `text` to standard error; errors writing to stderr are ignored.
    public static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            _ = writeAll(STDERR_FILENO, buffer)
        }
    }

    /// Writes the whole buffer to `descriptor`, retrying short writes and EINTR.
    /// Returns 0 on success or the errno of the failure.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ buffer: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard var pointer = buffer.baseAddress else { return 0 }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            pointer += written
            remaining -= written
        }
        return 0
    }
}

/// A buffered writer for results on standard output (or any file descriptor).
///
/// When the reader goes away (EPIPE) the process exits with status 0 and no message,
/// so `detect-train predict ... | head` ends quietly.
public final class StandardOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    public init(descriptor: Int32 = STDOUT_FILENO, capacity: Int = 1 << 16) {
        self.descriptor = descriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    deinit { flush() }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }

    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    public func write(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write(bytes: $0) }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        let failure = buffer.withUnsafeBufferPointer { StandardStreams.writeAll(descriptor, $0) }
        buffer.removeAll(keepingCapacity: true)
        if failure == EPIPE { exit(0) }
        if failure != 0 {
            StandardStreams.writeError("error: cannot write standard output: \(String(cString: strerror(failure)))\n")
            exit(ToolExitCode.ioError.rawValue)
        }
    }
}
