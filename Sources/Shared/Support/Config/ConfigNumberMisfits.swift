// Which numbers of a config its type cannot hold. Foundation's JSONDecoder reports a number
// too large, negative or fractional for its key's integer type as corrupt data with no key
// path; trying the numbers one at a time (every other one set to 0) finds the keys.
import Foundation

enum ConfigNumberMisfits {
    /// At most this many numbers are tried (one decode each); configs hold about a hundred.
    static let maximumTried = 2000

    /// "'key.path' = value" for every number of `input` (a JSONSerialization tree) that `T`
    /// cannot decode, in key order; empty when no single number is the cause.
    static func find<T: Decodable>(_ type: T.Type, in input: Any) -> [String] {
        var leaves: [(path: [PathStep], text: String)] = []
        collectNumbers(input, path: [], into: &leaves)
        guard leaves.count <= maximumTried else { return [] }
        var misfits: [String] = []
        for (tried, leaf) in leaves.enumerated() {
            var others = input
            for (index, other) in leaves.enumerated() where index != tried {
                others = replacing(other.path[...], in: others, with: NSNumber(value: 0))
            }
            guard let data = try? JSONSerialization.data(withJSONObject: others, options: [.fragmentsAllowed]) else { continue }
            do {
                _ = try JSONDecoder().decode(T.self, from: data)
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                misfits.append("'\(text(of: leaf.path))' = \(leaf.text)")
            } catch {
                continue
            }
        }
        return misfits
    }

    enum PathStep {
        case key(String)
        case index(Int)
    }

    static func text(of path: [PathStep]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// Every number (not a boolean) of the tree with its path, objects in key order.
    static func collectNumbers(_ value: Any, path: [PathStep], into leaves: inout [(path: [PathStep], text: String)]) {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() { collectNumbers(object[key]!, path: path + [.key(key)], into: &leaves) }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() { collectNumbers(element, path: path + [.index(index)], into: &leaves) }
        } else if let number = value as? NSNumber, !(value is Bool) {
            leaves.append((path, "\(number)"))
        }
    }

    /// The tree with the value at `path` replaced.
    static func replacing(_ path: ArraySlice<PathStep>, in value: Any, with replacement: Any) -> Any {
        guard let step = path.first else { return replacement }
        switch step {
        case .key(let key):
            guard var object = value as? [String: Any], let child = object[key] else { return value }
            object[key] = replacing(path.dropFirst(), in: child, with: replacement)
            return object
        case .index(let index):
            guard var array = value as? [Any], array.indices.contains(index) else { return value }
            array[index] = replacing(path.dropFirst(), in: array[index], with: replacement)
            return array
        }
    }
}
