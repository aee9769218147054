// Reading a whole input file into memory: regular files only (a folder, device or FIFO named
// by a json is not read, and opening never blocks on a FIFO), with an optional size cap
// checked before anything is allocated.
#if canImport(Glibc)
import Glibc
#endif

/// What reading a file gave.
public enum FileRead {
    case bytes([UInt8])
    /// Missing, not a regular file, or unreadable.
    case unavailable
    /// A regular file of this many bytes, over the cap: not read.
    case tooLarge(Int)
}

/// The whole file, or nil when it does not exist, is not a regular file or cannot be read.
public func readWholeFile(_ path: String) -> [UInt8]? {
    if case .bytes(let bytes) = readFile(path, maxBytes: nil) { return bytes }
    return nil
}

/// The whole file if it is a regular file of at most `maxBytes` bytes (nil: no cap).
public func readFile(_ path: String, maxBytes: Int?) -> FileRead {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return .unavailable }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .unavailable }
    let size = Int(info.st_size)
    if let maxBytes, size > maxBytes { return .tooLarge(size) }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    let ok = bytes.withUnsafeMutableBytes { buffer -> Bool in
        guard let base = buffer.baseAddress else { return true }
        while done < size {
            let count = read(descriptor, base + done, size - done)
            if count < 0 { if errno == EINTR { continue }; return false }
            if count == 0 { break }
            done += count
        }
        return true
    }
    guard ok else { return .unavailable }
    if done < size { bytes.removeLast(size - done) }
    return .bytes(bytes)
}
