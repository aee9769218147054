// The bytes a JSON reader walks: a read-only mmap of a file, or standard input (`-`) or a pipe
// read once into one growing buffer. Either way the document is held exactly once in memory.
// A stream is bounded (`streamLimit`) and checked as it arrives, so an endless or binary one
// (`< /dev/zero`) is refused at once instead of filling memory; devices are refused.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns the bytes of one JSON document; they stay valid as long as this object lives.
public final class JSONInput: @unchecked Sendable {
    /// The path as given ("-" for standard input); used in error messages.
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    private let release: Release

    private enum Release { case none, unmap, free }

    /// The most bytes read from a stream (`-` or a pipe): 16 GiB, far above the largest real
    /// LVIS document (the v1 training json is 1.1 GB). Larger documents must be files, which
    /// are mapped, not read.
    public static let streamLimit = 16 << 30

    /// Maps the file at `path` (or reads all of standard input for "-", at most `streamLimit`
    /// bytes).
    public init(path: String, streamLimit: Int = JSONInput.streamLimit) throws {
        self.path = path
        if path == "-" {
            bytes = try JSONStreamReader(path: path, limit: streamLimit).readAll(descriptor: STDIN_FILENO)
            release = .free
            return
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw ToolError.io("cannot open file: \(String(cString: strerror(errno)))", file: path,
                               hint: "check the path and its permissions")
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) != 0 {
            throw ToolError.io("cannot stat file: \(String(cString: strerror(errno)))", file: path)
        }
        let size = Int(info.st_size)
        let type = info.st_mode & S_IFMT
        if type == S_IFCHR || type == S_IFBLK || type == S_IFDIR {
            throw ToolError("is \(type == S_IFDIR ? "a directory" : "a device"), not a JSON file", file: path,
                            hint: "give the path of a file, or `-` for standard input", exitCode: .usage)
        }
        if type != S_IFREG {
            // A pipe or socket (e.g. /dev/stdin, a process substitution): read it.
            bytes = try JSONStreamReader(path: path, limit: streamLimit).readAll(descriptor: descriptor)
            release = .free
            return
        }
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            release = .none
            return
        }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE  // fault the pages in up front: one sequential read
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let mapped = mmap(nil, size, PROT_READ, flags, descriptor, 0), mapped != MAP_FAILED else {
            throw ToolError.io("cannot map file: \(String(cString: strerror(errno)))", file: path)
        }
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
        release = .unmap
    }

    /// A document held in memory (tests, small generated texts); the bytes are copied once.
    public init(text: String, path: String = "<text>") {
        self.path = path
        let utf8 = Array(text.utf8)
        let storage = malloc(max(utf8.count, 1))!
        utf8.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.copyMemory(from: base, byteCount: source.count) }
        }
        bytes = UnsafeRawBufferPointer(start: storage, count: utf8.count)
        release = .free
    }

    deinit {
        switch release {
        case .none: break
        case .unmap: munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        case .free: free(UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
    }

    /// A reader positioned at the start of the document. Keep `self` alive while using it.
    public func makeReader() -> JSONReader {
        JSONReader(bytes: bytes, path: path)
    }
}
