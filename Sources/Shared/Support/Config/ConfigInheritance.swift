// Config files that build on others: `"base": "tiny.json"` (or a list of files, applied in
// order) names the files this one changes. Bases are resolved first, relative to the folder
// of the file that names them, then this file's keys are laid over them: objects merge key by
// key, anything else (numbers, strings, arrays, null) replaces what the base had. The result
// is one JSON document without "base" keys, which is then decoded strictly like any config,
// so a misspelt key in any of the files is still an error.
import Foundation

public enum ConfigInheritance {
    /// The key that names a file's bases.
    public static let baseKey = "base"
    /// The longest chain of bases followed (a file, its base, the base's base, ...).
    public static let maximumDepth = 8
    /// The largest config file read (configs are a few KB; this stops a path to a huge file).
    public static let maximumFileBytes = 1 << 20

    /// The document of the config at `path` with every base applied, and the files it was
    /// made from (`path` first, then its bases in the order they were read). When the file
    /// names no base its bytes are returned as they are.
    public static func resolve(path: String) throws -> (data: Data, files: [String]) {
        let bytes = try read(path)
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
              object[baseKey] != nil else {
            return (bytes, [path])  // not an object with bases: the strict decoder reports what is wrong
        }
        var files: [String] = []
        let merged = try resolvedObject(path: path, object: object, chain: [], files: &files)
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
        return (data, files)
    }

    /// `object` (the content of `path`) laid over its resolved bases.
    static func resolvedObject(path: String, object: [String: Any], chain: [String], files: inout [String]) throws -> [String: Any] {
        files.append(path)
        let identity = URL(fileURLWithPath: path).standardizedFileURL.path
        let chain = chain + [identity]
        guard chain.count <= maximumDepth else {
            throw ToolError("config bases are nested more than \(maximumDepth) deep (\(chain.joined(separator: " -> ")))",
                            file: path, hint: "a preset should build on one or two others; flatten the chain")
        }
        var result: [String: Any] = [:]
        for base in try baseNames(object[baseKey], file: path) {
            let basePath = base.hasPrefix("/") ? base
                : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(base).path
            let baseIdentity = URL(fileURLWithPath: basePath).standardizedFileURL.path
            guard !chain.contains(baseIdentity) else {
                throw ToolError("config base \"\(base)\" is the file itself or one of the files built on it",
                                file: path, hint: "bases must not form a cycle")
            }
            let baseBytes = try read(basePath)
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: baseBytes)
            } catch {
                throw ToolError("base config is not valid JSON: \(error.localizedDescription)", file: basePath,
                                hint: "named as a base by \(path)")
            }
            guard let baseObject = parsed as? [String: Any] else {
                throw ToolError("base config is not a JSON object", file: basePath, hint: "named as a base by \(path)")
            }
            result = merge(try resolvedObject(path: basePath, object: baseObject, chain: chain, files: &files), under: result)
        }
        var own = object
        own[baseKey] = nil
        return merge(own, under: result)
    }

    /// The bases named by a "base" value: one path or a list of paths.
    static func baseNames(_ value: Any?, file: String) throws -> [String] {
        let names: [String]?
        switch value {
        case nil: return []
        case let name as String: names = [name]
        case let list as [Any]: names = list.compactMap { $0 as? String }.count == list.count ? list.map { $0 as! String } : nil
        default: names = nil
        }
        guard let names, !names.isEmpty, names.allSatisfy({ !$0.isEmpty && !$0.contains("\u{0}") }) else {
            throw ToolError("key 'base' must be a file name or a non-empty list of file names", file: file,
                            hint: "e.g. \"base\": \"tiny.json\" (relative to this file's folder)")
        }
        return names
    }

    /// `top` laid over `bottom`: objects merge key by key, other values of `top` replace.
    static func merge(_ top: [String: Any], under bottom: [String: Any]) -> [String: Any] {
        var result = bottom
        for (key, value) in top {
            if let topObject = value as? [String: Any], let bottomObject = bottom[key] as? [String: Any] {
                result[key] = merge(topObject, under: bottomObject)
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func read(_ path: String) throws -> Data {
        switch readFile(path, maxBytes: maximumFileBytes) {
        case .bytes(let bytes): return Data(bytes)
        case .tooLarge(let size):
            throw ToolError("config file is \(size) bytes; a config is at most \(maximumFileBytes)", file: path,
                            hint: "check the path: this is not a config file")
        case .unavailable:
            throw ToolError.io("cannot read config file (missing, not a regular file, or unreadable)", file: path, hint: "check the path")
        }
    }
}
