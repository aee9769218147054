// The bytes a JSON reader walks: a read-only mmap of a file, or standard input read once
// into one growing buffer ("-"). Either way the document is held exactly once in memory.
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

    /// Maps the file at `path` (or reads all of standard input for "-").
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            (bytes, release) = try JSONInput.readAll(descriptor: STDIN_FILENO, path: path)
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
        if (info.st_mode & S_IFMT) != S_IFREG {
            // A pipe or device (e.g. /dev/stdin, a process substitution): read it.
            (bytes, release) = try JSONInput.readAll(descriptor: descriptor, path: path)
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

    /// Reads a pipe to its end into one buffer. It grows with realloc, which glibc does
    /// with mremap for large blocks: no second copy of the document is ever held.
    private static func readAll(descriptor: Int32, path: String) throws -> (UnsafeRawBufferPointer, Release) {
        var capacity = 1 << 20
        var count = 0
        guard var storage = malloc(capacity) else { throw ToolError.io("out of memory reading input", file: path) }
        while true {
            if count == capacity {
                capacity *= 2
                guard let grown = realloc(storage, capacity) else {
                    free(storage)
                    throw ToolError.io("out of memory reading input (\(count) bytes so far)", file: path)
                }
                storage = grown
            }
            let got = read(descriptor, storage + count, capacity - count)
            if got < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                free(storage)
                throw ToolError.io("cannot read: \(message)", file: path)
            }
            if got == 0 { break }
            count += got
        }
        return (UnsafeRawBufferPointer(start: storage, count: count), .free)
    }
}
