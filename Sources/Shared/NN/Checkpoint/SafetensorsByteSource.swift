// Where the safetensors reader takes its bytes from: bytes already in memory, or a regular
// file opened without blocking (a FIFO or device is refused before a byte is read) and read
// piece by piece at checked offsets, so nothing is allocated by a number the file states.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SharedSupport

/// Random access to the bytes of one safetensors file.
protocol SafetensorsByteSource {
    /// Total bytes.
    var size: Int { get }
    /// `count` bytes from `offset` (the caller keeps `offset + count <= size`).
    func bytes(at offset: Int, count: Int) throws -> [UInt8]
}

/// A whole file already in memory.
struct SafetensorsMemorySource: SafetensorsByteSource {
    let raw: UnsafeRawBufferPointer
    var size: Int { raw.count }

    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        Array(raw[offset..<(offset + count)])
    }
}

/// A regular file on disk, read with `pread`. Owns its descriptor (closed by `release()` or when freed).
final class SafetensorsFileSource: SafetensorsByteSource {
    let path: String
    let size: Int
    private var descriptor: Int32

    /// Opens `path`, refusing anything but a regular file. Opening does not block on a FIFO
    /// (O_NONBLOCK), and the type is taken from the open descriptor, so the checked file is
    /// the one read.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ToolError.io("cannot open safetensors file: \(reason)", file: path,
                               hint: "check that the path exists and is readable")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(fd)
            throw ToolError.io("cannot read safetensors file: \(reason)", file: path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            _ = close(fd)
            throw ToolError.io("is \(Self.phrase(mode: info.st_mode)), not a safetensors file", file: path,
                               hint: "give the path of a regular .safetensors file (a checkpoint or weights file)")
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { release() }

    /// Closes the file (reading after this is a programmer error).
    func release() {
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
    }

    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    initialized = 0
                    if got == 0 {
                        throw ToolError("the file became shorter while it was read (byte \(offset + done) of \(size))")
                    }
                    throw ToolError.io("cannot read safetensors file: \(String(cString: strerror(errno)))", file: path)
                }
                done += got
            }
            initialized = count
        }
    }

    /// "a directory", "a device", ... for a non-regular file's mode.
    static func phrase(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}
