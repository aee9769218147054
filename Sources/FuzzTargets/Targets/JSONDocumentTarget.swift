// Target "json": the streaming JSON reader (Support/JSON) on arbitrary bytes. Every value
// is walked with the typed calls the schema readers use, and the same document is skipped
// with `skipValue`: both must accept the same documents and stop at the same byte.
import SharedSupport

extension FuzzTarget {
    /// "json": any bytes as one JSON document.
    static func jsonDocument() -> FuzzTarget {
        FuzzTarget(name: "json", summary: "JSONReader: walk every value (keys, strings, numbers as Int and Double) and skipValue",
                   maxLength: 4096) { bytes in
            // The reader walks libFuzzer's own buffer: an overread past its end is an ASan report.
            let walked = Refusal.outcome(file: "input.json") { try JSONDocumentWalk.walk(JSONReader(bytes: bytes, path: "input.json")) }
            let skipped = Refusal.outcome(file: "input.json") { try JSONDocumentWalk.skip(JSONReader(bytes: bytes, path: "input.json")) }
            if walked.isFinding { return walked }
            if skipped.isFinding { return skipped }
            switch (walked, skipped) {
            case (.refused, .accepted), (.accepted, .refused):
                return .finding("the walk and skipValue disagree on the document: walk \(walked), skip \(skipped)")
            default:
                return walked
            }
        }
    }
}

/// The two ways through a document.
enum JSONDocumentWalk {
    /// Walks every value with the typed calls (no recursion: any depth).
    static func walk(_ start: JSONReader) throws -> FuzzOutcome {
        var reader = start
        var open: [JSONKind] = []  // the containers entered
        var needValue = true  // a value comes next (the document's, an element's or a member's)
        while true {
            if needValue {
                switch try reader.peek() {
                case .object:
                    try reader.beginObject()
                    open.append(.object)
                case .array:
                    try reader.beginArray()
                    open.append(.array)
                case .string:
                    var copy = reader
                    _ = try copy.readStringBytes()
                    _ = try reader.readString()
                case .number:
                    var copy = reader  // a second cursor: readInt may refuse what readDouble reads
                    _ = try? copy.readInt()
                    _ = try reader.readDouble()
                case .bool:
                    _ = try reader.readBool()
                case .null:
                    guard try reader.consumeNull() else { return .finding("peek said null, consumeNull refused") }
                }
                needValue = false
                continue
            }
            guard let container = open.last else { break }
            if container == .object {
                if let key = try reader.nextKey() {
                    _ = key == "id"
                    _ = key.string
                    needValue = true
                } else {
                    open.removeLast()
                }
            } else if try reader.nextElement() {
                needValue = true
            } else {
                open.removeLast()
            }
        }
        let end = reader.offset
        try reader.finish()
        return endMatchesSkip(start, walkEnd: end)
    }

    /// Skips the document with `skipValue`.
    static func skip(_ start: JSONReader) throws -> FuzzOutcome {
        var reader = start
        try reader.skipValue()
        try reader.finish()
        return .accepted
    }

    /// Where the walk ended must be where `skipValue` ends.
    private static func endMatchesSkip(_ start: JSONReader, walkEnd: Int) -> FuzzOutcome {
        var reader = start
        guard (try? reader.skipValue()) != nil else { return .finding("the walk read the document, skipValue refused it") }
        guard reader.offset == walkEnd else {
            return .finding("the walk ended at byte \(walkEnd), skipValue at byte \(reader.offset)")
        }
        return .accepted
    }
}
