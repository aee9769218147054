// The small JSON files beside the shards (manifest.json, prep-plan.json, shard summaries):
// stable pretty bytes when written, and a plain-words error when one cannot be read back
// (empty, truncated or damaged, a missing or mistyped field) instead of a DecodingError dump.
import Foundation
import SharedSupport

/// Pretty, key-sorted JSON (stable bytes for a given value).
func encodeJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
}

func decodeJSON<T: Decodable>(_ type: T.Type, path: String, hint: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ToolError.io("cannot read file", file: path, hint: hint)
    }
    do {
        return try JSONDecoder().decode(type, from: data)
    } catch let error as DecodingError {
        throw ToolError(describeJSONFileFailure(error, byteCount: data.count), file: path, hint: hint)
    } catch {
        throw ToolError("cannot decode the file: \(error)", file: path, hint: hint)
    }
}

/// What is wrong with a JSON file that did not decode, in words a user can act on.
func describeJSONFileFailure(_ error: DecodingError, byteCount: Int) -> String {
    func field(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop(while: { $0 == "." }).description
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
        if byteCount == 0 { return "the file is empty (an interrupted write?)" }
        return "the file is not valid JSON: it is truncated or damaged (\(byteCount) bytes)"
    case .dataCorrupted(let context):
        return "field \"\(field(context.codingPath))\" has a bad value: \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "field \"\(field(context.codingPath + [key]))\" is missing (made by another version, or edited?)"
    case .typeMismatch(let type, let context):
        return "field \"\(field(context.codingPath))\" is not a \(type) as expected"
    case .valueNotFound(let type, let context):
        return "field \"\(field(context.codingPath))\" is null; expected a \(type)"
    @unknown default:
        return "the file does not have the expected content: \(error)"
    }
}
