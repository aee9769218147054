// The results list read on several threads: cut at record boundaries (ResultsArrayCuts),
// each piece read by the serial reader's own loop into a part of its own, then checked in
// file order. A piece counts only if it ended exactly at the next cut and the piece before
// it counted, so the parts are what the serial read gives; from the first piece that
// failed (bad data or a wrong cut) the file is read serially again, so an error is the one
// the serial read reports, with its record index.
import SharedSupport

extension DetectionResultsReader {
    /// The smallest piece worth a thread of its own: files below two of them are read serially.
    public static let minimumPieceBytes = 4 << 20

    /// Pieces per thread: more pieces than threads, handed out as threads free up, keep
    /// every core busy when one is slowed (the ground truth loads beside the results).
    static let piecesPerThread = 4

    /// Reads the results of `input` into parts, in file order, on up to
    /// `parallelism.threads` threads. `body(&part, result, index)` is called for each result,
    /// concurrently for different parts (it must share nothing mutable); `index` is the
    /// result's index in the file, except in pieces after the first, where it counts from
    /// the piece's start: an error `body` throws there is dropped and the piece read again
    /// serially with file indices, so every error that reaches the caller carries them.
    /// Parts of pieces that failed are dropped; the parts returned hold each result once.
    /// `makePart(bytes)` gets the length of the piece the part will hold (to reserve room).
    public static func read<Part>(input: JSONInput, parallelism: Parallelism, minimumPieceBytes: Int = minimumPieceBytes,
                                  makePart: (_ bytes: Int) -> Part, _ body: (inout Part, DetectionResult, Int) throws -> Void) throws -> [Part] {
        try withExtendedLifetime(input) {
            let bytes = input.bytes.bindMemory(to: UInt8.self)
            let pieces = parallelism.threads == 1 ? 1 : min(parallelism.threads * piecesPerThread, bytes.count / max(1, minimumPieceBytes))
            let cuts = ResultsArrayCuts.cuts(bytes, pieces: pieces, window: min(1 << 20, bytes.count / max(1, pieces)))
            let start = input.makeReader()
            if cuts.isEmpty {
                var part = makePart(bytes.count)
                try readToEnd(start, fromStart: true, firstIndex: 0, into: &part, body)
                return [part]
            }
            // Piece k runs from cut k - 1 (or the document's start) to cut k (or its end).
            let outcomes = parallelism.map(cuts.count + 1) { k -> (part: Part, count: Int)? in
                var part = makePart((k < cuts.count ? cuts[k] : bytes.count) - (k == 0 ? 0 : cuts[k - 1]))
                do {
                    var reader = k == 0 ? start : start.resumed(at: cuts[k - 1])
                    if k == 0 { try beginResults(&reader) }
                    let count = try readResults(&reader, firstIndex: 0, stop: k < cuts.count ? cuts[k] : nil) {
                        try body(&part, $0, $1)
                    }
                    if k == cuts.count { try reader.finish() }
                    return (part, count)
                } catch {
                    return nil
                }
            }
            var parts: [Part] = []
            var firstIndex = 0
            for (k, outcome) in outcomes.enumerated() {
                if let outcome {
                    parts.append(outcome.part)
                    firstIndex += outcome.count
                    continue
                }
                // The pieces before k are right; read the rest of the file as the serial read does.
                var part = makePart(bytes.count - (k == 0 ? 0 : cuts[k - 1]))
                try readToEnd(k == 0 ? start : start.resumed(at: cuts[k - 1]), fromStart: k == 0, firstIndex: firstIndex,
                              into: &part, body)
                parts.append(part)
                break
            }
            return parts
        }
    }

    /// The serial read from `reader` (the document's start, or a comma between results) to
    /// the end of the document.
    private static func readToEnd<Part>(_ start: JSONReader, fromStart: Bool, firstIndex: Int, into part: inout Part,
                                        _ body: (inout Part, DetectionResult, Int) throws -> Void) throws {
        var reader = start
        if fromStart { try beginResults(&reader) }
        _ = try readResults(&reader, firstIndex: firstIndex, stop: nil) { try body(&part, $0, $1) }
        try reader.finish()
    }
}
