// Reads a JSON document from a stream (standard input, a pipe) into one buffer, checking it as
// it arrives: JSON text never holds a NUL byte, the tools' documents start with `{` or `[`
// after at most 1 MiB of whitespace, and no stream may pass `limit` bytes. So `< /dev/zero`,
// a binary file or an endless stream is refused at its first bytes, not when memory runs out.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct JSONStreamReader {
    /// The stream's name in messages (`-` for standard input).
    let path: String
    /// The most bytes read.
    let limit: Int
    /// The most whitespace read before the document's first `{` or `[`.
    static let leadingWhitespaceLimit = 1 << 20

    init(path: String, limit: Int) {
        precondition(limit >= 0 && limit < Int.max / 2, "stream limit out of range")
        self.path = path
        self.limit = limit
    }

    /// Reads `descriptor` to its end into one malloc'd buffer (the caller frees it). It grows
    /// with realloc, which glibc does with mremap for large blocks: no second copy is held.
    func readAll(descriptor: Int32) throws -> UnsafeRawBufferPointer {
        var capacity = min(1 << 20, limit + 1)
        var count = 0
        var started = false
        guard var storage = malloc(capacity) else { throw ToolError.io("out of memory reading input", file: path) }
        do {
            while true {
                if count == capacity {
                    capacity = min(capacity * 2, limit + 1)
                    guard let grown = realloc(storage, capacity) else {
                        throw ToolError.io("out of memory reading input (\(count) bytes so far)", file: path)
                    }
                    storage = grown
                }
                let got = read(descriptor, storage + count, capacity - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw ToolError.io("cannot read: \(String(cString: strerror(errno)))", file: path)
                }
                if got == 0 { break }
                let chunk = UnsafeRawBufferPointer(start: storage + count, count: got)
                try check(chunk, at: count, started: &started)
                count += got
                if count > limit { throw tooLarge() }
            }
        } catch {
            free(storage)
            throw error
        }
        return UnsafeRawBufferPointer(start: storage, count: count)
    }

    /// Checks the bytes `chunk` that start at stream offset `offset`.
    func check(_ chunk: UnsafeRawBufferPointer, at offset: Int, started: inout Bool) throws {
        if let base = chunk.baseAddress, let found = memchr(base, 0, chunk.count) {
            let nul = UnsafeRawPointer(found) - base
            throw ToolError("byte \(offset + nul) is a NUL byte, which JSON text never holds: this is binary data (a device such as /dev/zero?)",
                            file: path, hint: Self.documentHint)
        }
        guard !started else { return }
        guard let first = chunk.firstIndex(where: { !Self.isWhitespace($0) }) else {
            if offset + chunk.count > Self.leadingWhitespaceLimit {
                throw ToolError("more than 1 MiB of whitespace and no JSON document", file: path, hint: Self.documentHint)
            }
            return
        }
        let byte = chunk[first]
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
            started = true
            return
        }
        if byte == 0xEF {
            throw ToolError("the stream starts with a UTF-8 byte order mark", file: path, record: "byte \(offset + first)",
                            hint: "JSON files must not start with a BOM; remove the first three bytes")
        }
        let shown = (0x21...0x7E).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
        throw ToolError("does not start with a JSON object or array (`{` or `[`): found \(shown)", file: path,
                        record: "byte \(offset + first)", hint: Self.documentHint)
    }

    func tooLarge() -> ToolError {
        ToolError("more than \(Self.describe(limit)) on a stream, the most standard input or a pipe may carry", file: path,
                  hint: "write the document to a file and give its path (files are mapped, without this limit)")
    }

    static let documentHint = "give a JSON document (a COCO/LVIS json, a results list); check what is piped into the tool"

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// "16 GiB", "3 MiB", or "N bytes".
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        return "\(bytes) bytes"
    }
}
