// Where a checkpoint's bytes live: a read-only mapping of the file, or a heap buffer (an
// inflated zip entry, bytes handed over in memory, a latin-1 re-encoding); and ranges of them
// that keep their owner alive, so a tensor's storage is a slice of the mapped file, not a copy.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SharedSupport

/// Owns one block of bytes: unmapped or freed when the last range of it goes.
final class TorchBytes: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    private let release: Release

    private enum Release { case none, unmap, free }

    private init(raw: UnsafeRawBufferPointer, release: Release) {
        self.raw = raw
        self.release = release
    }

    deinit {
        switch release {
        case .none: break
        case .unmap: munmap(UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count)
        case .free: free(UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
    }

    /// The whole range.
    var all: TorchByteRange { TorchByteRange(owner: self, start: 0, count: raw.count) }

    /// Maps the regular file at `path` read-only. Opening never blocks on a FIFO, and the type
    /// is taken from the open descriptor: a directory, device, FIFO or socket is refused (74).
    static func map(path: String) throws -> TorchBytes {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ToolError.io("cannot open checkpoint: \(String(cString: strerror(errno)))", file: path,
                               hint: "check that the path exists and is readable")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ToolError.io("cannot read checkpoint: \(String(cString: strerror(errno)))", file: path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ToolError.io("is \(SafetensorsFileSource.phrase(mode: info.st_mode)), not a checkpoint file", file: path,
                               hint: "give the path of a regular .pth, .pt or .pkl file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { return TorchBytes(raw: UnsafeRawBufferPointer(start: nil, count: 0), release: .none) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ToolError.io("cannot map checkpoint: \(String(cString: strerror(errno)))", file: path)
        }
        return TorchBytes(raw: UnsafeRawBufferPointer(start: mapped, count: size), release: .unmap)
    }

    /// A heap buffer of `count` bytes written by `fill`. A size this process cannot hold is
    /// refused with a message (exit 74), not a crash.
    static func allocate(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> TorchBytes {
        guard count >= 0, let memory = malloc(max(count, 1)) else {
            throw ToolError("\(count) bytes do not fit in this process's memory",
                            hint: "run on a machine with more memory, or check that this is the intended file", exitCode: .ioError)
        }
        let buffer = UnsafeMutableRawBufferPointer(start: memory, count: count)
        do {
            try fill(buffer)
        } catch {
            free(memory)
            throw error
        }
        return TorchBytes(raw: UnsafeRawBufferPointer(buffer), release: .free)
    }

    /// A copy of `bytes`.
    static func copying(_ bytes: UnsafeRawBufferPointer) throws -> TorchBytes {
        try allocate(count: bytes.count) { buffer in
            if let base = bytes.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        }
    }
}

/// `count` bytes from `start` inside a `TorchBytes`, which the range keeps alive.
struct TorchByteRange: @unchecked Sendable {
    let owner: TorchBytes
    let start: Int
    let count: Int

    /// The bytes; valid only while `owner` lives, so a range that is a temporary (the result
    /// of a call) must be read through `withBytes`.
    var raw: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: owner.raw[start..<(start + count)])
    }

    /// Runs `body` on the bytes, keeping their owner alive until it returns.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(owner) { try body(raw) }
    }

    /// The sub-range of `length` bytes at `offset` (the caller has checked the bounds).
    func slice(_ offset: Int, _ length: Int) -> TorchByteRange {
        TorchByteRange(owner: owner, start: start + offset, count: length)
    }

    var array: [UInt8] { withBytes { [UInt8]($0) } }
}
