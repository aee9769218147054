// Streaming reader of a COCO results file (a json list of detections): one record at a
// time to a callback, over the mmapped file or standard input, no second copy, no tree.
import SharedSupport

/// Reads COCO/LVIS results files: `[{"image_id", "category_id", "score", "bbox"?, "segmentation"?}, ...]`.
public enum DetectionResultsReader {
    /// Calls `body` with each result in file order ("-" reads standard input). Throws a
    /// `ToolError` naming the file, the result's index and line/column for the first bad record.
    public static func read(path: String, _ body: (DetectionResult) throws -> Void) throws {
        let input = try JSONInput(path: path)
        try withExtendedLifetime(input) { try read(reader: input.makeReader(), body) }
    }

    /// The same over bytes already opened (`input.bytes.count` is the file's size).
    public static func read(input: JSONInput, _ body: (DetectionResult) throws -> Void) throws {
        try withExtendedLifetime(input) { try read(reader: input.makeReader(), body) }
    }

    /// The same over a document in memory (tests).
    public static func read(text: String, path: String = "<text>", _ body: (DetectionResult) throws -> Void) throws {
        let input = JSONInput(text: text, path: path)
        try withExtendedLifetime(input) { try read(reader: input.makeReader(), body) }
    }

    /// All results of a file in an array.
    public static func readAll(path: String) throws -> [DetectionResult] {
        var results: [DetectionResult] = []
        try read(path: path) { results.append($0) }
        return results
    }

    /// All results of a document in memory (tests).
    public static func readAll(text: String, path: String = "<text>") throws -> [DetectionResult] {
        var results: [DetectionResult] = []
        try read(text: text, path: path) { results.append($0) }
        return results
    }

    static func read(reader start: JSONReader, _ body: (DetectionResult) throws -> Void) throws {
        var reader = start
        try beginResults(&reader)
        _ = try readResults(&reader, firstIndex: 0, stop: nil) { result, _ in try body(result) }
        try reader.finish()
    }

    /// Checks that the document is a list and enters it.
    static func beginResults(_ reader: inout JSONReader) throws {
        guard try reader.peek() == .array else {
            throw reader.error("a results file must be a JSON list of detections", at: reader.offset,
                               hint: "is this a ground-truth file? COCO results are [{\"image_id\", \"category_id\", \"score\", \"bbox\"}, ...]")
        }
        try reader.beginArray()
    }

    /// Reads the list's results from the reader's position (inside the list) to its `]`, or
    /// up to the separating comma at offset `stop`; `body(result, index)` gets each, its
    /// index counted from `firstIndex`. Returns how many it read. Throws `MissedCut` when the
    /// list ends before `stop` or a result runs over it.
    static func readResults(_ reader: inout JSONReader, firstIndex: Int, stop: Int?,
                            _ body: (DetectionResult, Int) throws -> Void) throws -> Int {
        var record = RecordName(list: "results", index: firstIndex, source: .detections)
        while true {
            if let stop {
                let next = reader.valueOffset()
                if next == stop { break }
                if next > stop { throw MissedCut() }
            }
            guard try reader.nextElement() else {
                if stop != nil { throw MissedCut() }
                break
            }
            guard try reader.peek() == .object else {
                throw reader.error("each result must be an object", record: record.text, at: reader.offset)
            }
            try body(try readResult(&reader, record: record), record.index)
            record.index += 1
        }
        return record.index - firstIndex
    }

    /// A piece's end was not where the cut guessed: not a record boundary after all.
    struct MissedCut: Error {}

    static func readResult(_ reader: inout JSONReader, record: RecordName) throws -> DetectionResult {
        let start = reader.offset
        var imageID: Int?, categoryID: Int?, score: Double?
        var bbox: BoxXYWH?
        var segmentation: Segmentation?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "image_id" {
                imageID = try reader.readIdentifier(field: "image_id", record: record)
            } else if key == "category_id" {
                categoryID = try reader.readIdentifier(field: "category_id", record: record)
            } else if key == "score" {
                score = try reader.readFiniteNumber(field: "score", record: record)
            } else if key == "bbox" {
                bbox = try reader.readOptionalBox(field: "bbox", record: record)
            } else if key == "segmentation" {
                segmentation = try reader.readSegmentation(record: record)
            } else {
                try reader.skipValue()
            }
        }
        guard let imageID else { throw Dataset.missing("image_id", reader, record, at: start) }
        guard let categoryID else { throw Dataset.missing("category_id", reader, record, at: start) }
        guard let score else { throw Dataset.missing("score", reader, record, at: start) }
        guard bbox != nil || segmentation != nil else {
            throw reader.error("the result has neither \"bbox\" nor \"segmentation\"", record: record.text, at: start)
        }
        return DetectionResult(imageID: ImageID(imageID), categoryID: CategoryID(categoryID), score: score,
                               bbox: bbox, segmentation: segmentation)
    }
}
