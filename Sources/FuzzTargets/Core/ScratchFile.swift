// A scratch file for readers that take a path (mmap, FileHandle): each input is written to
// it and the reader opens it like any file. On Linux the name is unlinked at once and the
// file is opened through /proc/self/fd, so nothing is left behind when the process ends.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One scratch file, owned by one fuzz target (targets run one input at a time).
final class ScratchFile: @unchecked Sendable {
    /// The path readers open.
    let path: String
    private let descriptor: Int32
    private let linkedName: String?

    /// Creates the file in /dev/shm (memory) when it exists, else in $TMPDIR or /tmp.
    init(label: String) {
        let folder = ScratchFile.folder()
        var template = Array("\(folder)/loce-fuzz-\(label)-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(descriptor >= 0, "loce-fuzz: cannot create a scratch file in \(folder): \(String(cString: strerror(errno)))")
        let name = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        self.descriptor = descriptor
        #if os(Linux)
        unlink(name)
        path = "/proc/self/fd/\(descriptor)"
        linkedName = nil
        #else
        path = name
        linkedName = name
        #endif
    }

    deinit {
        close(descriptor)
        if let linkedName { unlink(linkedName) }
    }

    /// Replaces the file's contents with `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) {
        precondition(ftruncate(descriptor, 0) == 0, "loce-fuzz: cannot truncate the scratch file")
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(written))
            if result < 0 && errno == EINTR { continue }
            precondition(result > 0, "loce-fuzz: cannot write the scratch file: \(String(cString: strerror(errno)))")
            written += result
        }
    }

    private static func folder() -> String {
        var info = stat()
        if stat("/dev/shm", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        if let temporary = getenv("TMPDIR") { return String(cString: temporary) }
        return "/tmp"
    }
}
