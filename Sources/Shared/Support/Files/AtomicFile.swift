// Atomic file output: write to a temporary name in the same folder, fsync, rename. An
// interrupted run never leaves a file that looks complete
// (docs/design.md §Command-line conventions), and the temporary file a killed run (SIGKILL,
// the OOM killer) left behind is removed by the next writer of the same file on the same host.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file under a temporary name and renames it into place on `commit()`.
/// If the writer is dropped without `commit()`, the temporary file is removed.
public final class AtomicFileWriter {
    /// The path as given (used in messages).
    public let path: String
    /// The file `commit()` replaces: `path`, or the file a symbolic link at `path` points to.
    public let destination: String
    public let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private let bufferCapacity = 1 << 20

    /// Opens a temporary file beside `path`. A symbolic link at `path` is written through:
    /// the file it points to is replaced and the link kept. An existing directory, device,
    /// pipe or socket at `path` is refused (renaming over a device node would replace it).
    public init(path: String) throws {
        if path.isEmpty { throw ToolError.usage("an output path is empty", hint: "give a path") }
        guard let target = PathChecks.writeThroughTarget(of: path) else {
            throw ToolError.io("cannot follow the symbolic link (a loop, or too many levels)", file: path)
        }
        let existing = PathChecks.kind(of: target)
        guard existing == .missing || existing == .regularFile else {
            throw ToolError.io("is \(existing.phrase); refusing to replace it with a file", file: path,
                               hint: "give a file path")
        }
        self.path = path
        destination = target
        let slash = target.lastIndex(of: "/")
        let directory = slash.map { String(target[..<$0]) } ?? "."
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        let folder = directory.isEmpty ? "/" : directory
        let prefix = ".\(name).tmp-"
        ProcessOwnedNames.removeAbandoned(in: folder, prefix: prefix)
        temporaryPath = (folder == "/" ? "" : folder) + "/" + ProcessOwnedNames.own(prefix)
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
        if rename(temporaryPath, destination) != 0 {
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
