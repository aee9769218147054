// Strict decoding of typed configuration files: a key the type does not know is an error
// naming the key's path (a misspelt `tempearture` must not silently become a default).
import Foundation

public enum StrictConfigDecoder {
    /// Decodes `T` from JSON `data`; rejects unknown keys, wrong types and missing fields
    /// with a `ToolError` naming `file` and the key path. Top-level keys in `ignoring` are
    /// left to another reader (a later stage's section of the same document) and not checked.
    public static func decode<T: Codable>(_ type: T.Type, from data: Data, file: String, ignoring: Set<String> = []) throws -> T {
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            // Foundation reports a number that its key's type cannot hold (80.5 or 1e30 for a
            // count) as corrupt data without a key path: on valid JSON, find and name the keys.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let input = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
                let misfits = ConfigNumberMisfits.find(T.self, in: input)
                if !misfits.isEmpty {
                    let keys = misfits.prefix(5).joined(separator: ", ") + (misfits.count > 5 ? " (and \(misfits.count - 5) more)" : "")
                    throw ToolError((misfits.count == 1 ? "key " : "keys ") + keys
                                    + (misfits.count == 1 ? " does not fit the type of its key" : " do not fit the types of their keys"),
                                    file: file, hint: "counts, sizes and iterations take whole numbers of at most \(Int.max), the seed one in "
                                    + "0...\(UInt64.max); see the preset files in pipelines/configs/ for the schema")
                }
                let fractional = fractionalNumberPaths(input, path: "")
                throw ToolError("a value does not fit the type of its key"
                                + (fractional.isEmpty ? "" : "; fractional numbers at " + fractional.prefix(5).joined(separator: ", ")),
                                file: file, hint: "counts, sizes and iterations take whole numbers; see the preset files in "
                                + "pipelines/configs/ for the schema")
            }
            throw ToolError(describe(error), file: file, hint: "see the preset files in pipelines/configs/ for the schema")
        } catch {
            throw ToolError("not valid JSON: \(error.localizedDescription)", file: file)
        }
        // Every key of the input must survive a decode/encode round trip; a key that does
        // not is unknown to the type.
        // JSONDecoder lets some invalid JSON through (a raw control character or invalid
        // UTF-8 inside a string) that JSONSerialization refuses: refuse it here too.
        let input: Any
        do {
            input = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch let error as NSError {
            let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw ToolError("not valid JSON: \(detail)", file: file,
                            hint: "strings may not hold raw control characters or invalid UTF-8: escape them (\\n, \\u0001)")
        }
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
        var checked = input
        if !ignoring.isEmpty, let object = input as? [String: Any] { checked = object.filter { !ignoring.contains($0.key) } }
        if let path = firstUnknownKey(input: checked, known: encoded, path: "") {
            throw ToolError("unknown key '\(path)'", file: file,
                            hint: "remove it or fix its spelling; see the preset files in pipelines/configs/")
        }
        return value
    }

    /// Reads the file at `path`, applies its bases (`ConfigInheritance`) and strictly decodes
    /// the result; messages about a file built on others name them too.
    public static func load<T: Codable>(_ type: T.Type, path: String) throws -> T {
        let (data, files) = try ConfigInheritance.resolve(path: path)
        let label = files.count == 1 ? path : "\(path) (with its bases \(files.dropFirst().joined(separator: ", ")))"
        return try decode(type, from: data, file: label)
    }

    /// "key = value" for every number with a fractional part, in key order.
    static func fractionalNumberPaths(_ value: Any, path: String) -> [String] {
        if let object = value as? [String: Any] {
            return object.keys.sorted().flatMap { fractionalNumberPaths(object[$0]!, path: path.isEmpty ? $0 : "\(path).\($0)") }
        }
        if let array = value as? [Any] {
            return array.enumerated().flatMap { fractionalNumberPaths($0.element, path: "\(path)[\($0.offset)]") }
        }
        if let number = value as? Double, number.isFinite, number.rounded() != number {
            return ["'\(path)' = \(number)"]
        }
        return []
    }

    static func firstUnknownKey(input: Any, known: Any, path: String) -> String? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let knownChild = knownObject[key] else {
                    if object[key] is NSNull { continue }  // explicit null for an optional
                    return childPath
                }
                if let found = firstUnknownKey(input: object[key]!, known: knownChild, path: childPath) {
                    return found
                }
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, element) in array.enumerated() where index < knownArray.count {
                if let found = firstUnknownKey(input: element, known: knownArray[index], path: "\(path)[\(index)]") {
                    return found
                }
            }
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func pathText(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = pathText(context.codingPath)
            return "missing key '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "key '\(pathText(context.codingPath))': expected \(type)"
        case .valueNotFound(let type, let context):
            return "key '\(pathText(context.codingPath))': expected \(type), found null"
        case .dataCorrupted(let context):
            let path = pathText(context.codingPath)
            return (path.isEmpty ? "" : "key '\(path)': ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
