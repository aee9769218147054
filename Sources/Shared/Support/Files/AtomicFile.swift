// Atomic file output: write to a temporary name in the same folder, fsync, rename. An
// interrupted run never leaves a file that looks complete (DESIGN.md conventions).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file under a temporary name and renames it into place on `commit()`.
/// If the writer is dropped without `commit()`, the temporary file is removed.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private let bufferCapacity = 1 << 20

    public init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            throw ToolError.io("cannot create file: \(String(cString: strerror(errno)))", file: path,
                               hint: "check that the folder exists and is writable")
        }
        buffer.reserveCapacity(bufferCapacity)
    }

    deinit {
        if !committed {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferCapacity { try flushBuffer() }
        if bytes.count >= bufferCapacity {
            try writeRaw(bytes)
        } else {
            buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Flushes, fsyncs and renames the file into place.
    public func commit() throws {
        precondition(!committed, "AtomicFileWriter committed twice")
        try flushBuffer()
        if fsync(descriptor) != 0 {
            throw ToolError.io("cannot sync file: \(String(cString: strerror(errno)))", file: path)
        }
        close(descriptor)
        descriptor = -1
        if rename(temporaryPath, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            committed = true
            throw ToolError.io("cannot move file into place: \(message)", file: path)
        }
        committed = true
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeRaw($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        let failure = StandardStreams.writeAll(descriptor, bytes.bindMemory(to: UInt8.self))
        if failure != 0 {
            throw ToolError.io("cannot write file: \(String(cString: strerror(failure)))", file: path,
                               hint: failure == ENOSPC ? "the disk is full" : nil)
        }
    }
}

/// Writes `bytes` to `path` atomically.
public func writeFileAtomically(_ path: String, bytes: [UInt8]) throws {
    let writer = try AtomicFileWriter(path: path)
    try writer.write(bytes)
    try writer.commit()
}

/// Writes `text` to `path` atomically.
public func writeFileAtomically(_ path: String, text: String) throws {
    let writer = try AtomicFileWriter(path: path)
    try writer.write(text)
    try writer.commit()
}
