// A COCO results JSON array written as it is produced: "[", then each image's results as
// soon as they exist, then "]". Where the bytes go (stdout, an atomic file) is the caller's
// `sink`, so `detect-train predict ... | detect-eval --gt val.json -` streams. A result with
// a NaN or infinite number is refused before any of its image's bytes reach the sink.
import SharedSupport
import SharedData

public final class ResultsStream {
    private let sink: ([UInt8]) throws -> Void
    private var written = 0
    private var closed = false

    public init(sink: @escaping ([UInt8]) throws -> Void) throws {
        self.sink = sink
        try sink(Array("[".utf8))
    }

    /// Results written so far.
    public var count: Int { written }

    /// Appends results (one image's, typically) and hands them to the sink. Throws, writing
    /// none of them, when one holds a number that is not finite (JSON has no NaN).
    public func write(_ results: [DetectionResult]) throws {
        precondition(!closed, "ResultsStream written after close")
        guard !results.isEmpty else { return }
        var bytes: [UInt8] = []
        for result in results {
            let isFirstOfArray = written == 0 && bytes.isEmpty
            bytes.append(contentsOf: Array((isFirstOfArray ? "\n" : ",\n").utf8))
            // A fresh writer per element: the writer inserts its own separators otherwise.
            var json = JSONWriter(reservingCapacity: 1024)
            result.write(to: &json)
            guard json.nonFiniteNumbers == 0 else {
                throw ToolError("a detection has a score or box that is not a finite number: \(json.text)",
                                record: "image id \(result.imageID.rawValue)",
                                hint: "the model's outputs overflowed; check the checkpoint's training log, or use an earlier checkpoint")
            }
            bytes.append(contentsOf: json.takeBytes())
        }
        try sink(bytes)
        written += results.count
    }

    /// Ends the array.
    public func close() throws {
        precondition(!closed, "ResultsStream closed twice")
        closed = true
        try sink(Array((written == 0 ? "]\n" : "\n]\n").utf8))
    }
}
