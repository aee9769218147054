// `detect-train merge-predictions`: joins the results files of a sharded `predict` (one per
// `--shard-index`, given in index order) into one COCO results JSON array, streaming, so
// that the merged file is byte-identical to an unsharded `predict` with the same --batch.
import ArgumentParser
import Foundation
import SharedSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct MergePredictionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-predictions",
        abstract: "Join the results files of a sharded `predict` into one COCO results JSON array.",
        discussion: """
        Give the pieces in --shard-index order (0, 1, ..., N-1): the elements are
        copied in that order without being re-encoded, so the pieces of
        `predict --num-shards N` merge into exactly the bytes one unsharded
        `predict` (same --batch) writes. Every piece must exist and hold a JSON
        array (its first and last characters are checked here; detect-eval
        parses the rest); a missing or malformed piece is named and nothing is
        written (exit 1).
        Example:
          detect-train merge-predictions --out dets.json dets/part-0.json dets/part-1.json
        """)

    @Option(name: .long, help: ArgumentHelp("Merged results file (written atomically); `-` or absent: stdout.", valueName: "FILE.json"))
    var out: String?

    @Argument(help: ArgumentHelp("The pieces, in --shard-index order.", valueName: "PART.json"))
    var parts: [String] = []

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if parts.isEmpty { throw ValidationError("give at least one PART.json (the pieces written by `predict --num-shards N`)") }
        if parts.contains("-") {
            throw ValidationError("a piece cannot be `-` (standard input): pieces are read by byte range; give each piece's file")
        }
    }

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: false)
        // Check every piece before writing anything, so that all missing ones are named at once.
        var pieces: [ResultsPiece] = []
        var missing: [String] = []
        for path in parts {
            guard FileManager.default.isReadableFile(atPath: path) else {
                missing.append(path)
                continue
            }
            pieces.append(try ResultsPiece(path: path))
        }
        if !missing.isEmpty {
            throw ToolError("\(missing.count) of \(parts.count) pieces missing or unreadable: \(missing.joined(separator: ", "))",
                            file: missing[0],
                            hint: "re-run `detect-train predict --num-shards N --shard-index I` for each missing piece, then merge again")
        }
        var any = false
        let write: ([UInt8]) throws -> Void
        var file: AtomicFileWriter?
        let output = StandardOutput()
        if let out, out != "-" {
            let writer = try AtomicFileWriter(path: out)
            file = writer
            write = { try writer.write($0) }
        } else {
            write = { output.write(bytes: $0) }
        }
        StopSignals.install()
        try write(Array("[".utf8))
        for piece in pieces where !piece.isEmpty {
            if any { try write(Array(",".utf8)) }
            try piece.copyElements(to: write, stopRequested: StopSignals.received)
            any = true
        }
        try write(Array((any ? "\n]\n" : "]\n").utf8))
        if let file { try file.commit() } else { output.flush() }
        context.logger.info("merged \(pieces.count) pieces (\(pieces.filter { !$0.isEmpty }.count) non-empty)\(out.map { $0 == "-" ? "" : " into \($0)" } ?? "")")
    }
}

/// One results file: the byte range between its outer `[` and `]` (trailing whitespace
/// before the `]` excluded), found without reading the middle.
private struct ResultsPiece {
    let path: String
    let start: Int
    let end: Int
    let isEmpty: Bool

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ToolError("cannot open: \(String(cString: strerror(errno)))", file: path,
                            hint: "re-run the `detect-train predict` piece that writes it")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ToolError.io("cannot stat: \(String(cString: strerror(errno)))", file: path)
        }
        let size = Int(info.st_size)
        let notArray = ToolError("is not a COCO results JSON array (`[...]`)", file: path,
                                 hint: "pass the files written by `detect-train predict --out`; re-run the piece if it was cut short")
        // First non-space byte: `[`; then the first element (if any) must be an object.
        let head = try Self.read(descriptor, offset: 0, count: min(size, 4096), path: path)
        guard let open = head.firstIndex(where: { !Self.isSpace($0) }), head[open] == UInt8(ascii: "[") else { throw notArray }
        // Last non-space byte: `]`.
        var tailEnd = size
        var close = -1
        while tailEnd > 0 && close < 0 {
            let from = max(0, tailEnd - 4096)
            let chunk = try Self.read(descriptor, offset: from, count: tailEnd - from, path: path)
            if let last = chunk.lastIndex(where: { !Self.isSpace($0) }) {
                guard chunk[last] == UInt8(ascii: "]") else { throw notArray }
                close = from + last
            }
            tailEnd = from
        }
        guard close > open else { throw notArray }
        start = open + 1
        // Trim the whitespace before the closing bracket (the writer's "\n]\n").
        var end = close
        while end > start {
            let byte = try Self.read(descriptor, offset: end - 1, count: 1, path: path)[0]
            if !Self.isSpace(byte) { break }
            end -= 1
        }
        self.end = end
        isEmpty = end == start
        if !isEmpty {
            let first = try Self.read(descriptor, offset: start, count: min(end - start, 4096), path: path)
            guard let element = first.firstIndex(where: { !Self.isSpace($0) }), first[element] == UInt8(ascii: "{") else {
                throw notArray
            }
        }
    }

    /// Streams bytes start..<end to `write`, 1 MiB at a time; a stop request (SIGINT,
    /// SIGTERM) between two of them ends the merge with exit 130/143 (the unfinished output
    /// file is removed by its writer).
    func copyElements(to write: ([UInt8]) throws -> Void, stopRequested: () -> Int32?) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ToolError("cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(descriptor) }
        var offset = start
        while offset < end {
            if let signal = stopRequested() {
                throw ToolError("stopped by \(StopSignals.name(signal)) while merging; no output was written", file: path,
                                hint: "run the same command again", exitCode: ToolExitCode(stoppedBy: signal))
            }
            let count = min(1 << 20, end - offset)
            try write(try Self.read(descriptor, offset: offset, count: count, path: path))
            offset += count
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    static func read(_ descriptor: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw ToolError.io("cannot read: \(String(cString: strerror(errno)))", file: path)
            }
            if got == 0 {
                throw ToolError("ended early (\(offset + done) of \(offset + count) bytes)", file: path,
                                hint: "the file changed while being merged; re-run the merge")
            }
            done += got
        }
        return bytes
    }
}
