// Reads back what `detect-eval --json` prints ({"bbox": {...}, "segm": {...}}): the
// numeric stats of each IoU type, for `detect-eval compare`. The per-category rows and
// the other fields are skipped.
import SharedSupport

public enum EvaluationJSONReader {
    public static let hint = "make it with `detect-eval --gt GT.json --dt RESULTS.json --iou-type both --json > EVAL.json`"

    /// The stats in the document at `path`, labelled `name`. Throws `ToolError` (74 when
    /// the file cannot be read, 1 when it is not such a document).
    public static func read(name: String, path: String) throws -> ModelResults {
        let input = try JSONInput(path: path)
        return try withExtendedLifetime(input) {
            var reader = input.makeReader()
            return try read(&reader, name: name, path: path)
        }
    }

    static func read(_ reader: inout JSONReader, name: String, path: String) throws -> ModelResults {
        var stats: [IoUType: [String: Double]] = [:]
        guard (try? reader.peek()) == .object else {
            throw ToolError("not a `detect-eval --json` document (expected an object)", file: path, hint: hint)
        }
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard let type = IoUType(rawValue: key.string), try reader.peek() == .object else {
                try reader.skipValue()
                continue
            }
            var values: [String: Double] = [:]
            try reader.beginObject()
            while let statKey = try reader.nextKey() {
                let statName = statKey.string
                if try reader.peek() == .number, statName != "detections" {
                    values[statName] = try reader.readDouble()
                } else {
                    try reader.skipValue()
                }
            }
            stats[type] = values
        }
        try reader.finish()
        guard !stats.isEmpty, stats.values.allSatisfy({ $0["AP"] != nil }) else {
            throw ToolError("no \"bbox\", \"segm\" or \"boundary\" stats with an \"AP\" in it", file: path, hint: hint)
        }
        return ModelResults(name: name, stats: stats)
    }
}
