// Which numbers of a config its type cannot hold. Foundation's JSONDecoder reports a number
// too large, negative or fractional for its key's integer type as corrupt data with no key
// path; decoding with some numbers set to 0, halving the groups that still fail, finds the keys.
import Foundation

enum ConfigNumberMisfits {
    /// At most this many numbers are searched; configs hold about a hundred.
    static let maximumTried = 2000

    /// "'key.path' = value" for every number of `input` (a JSONSerialization tree) that `T`
    /// cannot decode, in key order; empty when no single number is the cause.
    static func find<T: Decodable>(_ type: T.Type, in input: Any) -> [String] {
        var leaves: [(path: [PathStep], text: String, value: NSNumber)] = []
        collectNumbers(input, path: [], into: &leaves)
        guard leaves.count <= maximumTried else { return [] }
        let zeroed = zeroingNumbers(input)
        // Whether T decodes the input with every number 0 but those of `group`: nil when it
        // does, else whether the failure is a number that does not fit (no key path).
        func failure(_ group: ArraySlice<Int>) -> Bool? {
            var tree = zeroed
            for index in group { tree = replacing(leaves[index].path[...], in: tree, with: leaves[index].value) }
            guard let data = try? JSONSerialization.data(withJSONObject: tree, options: [.fragmentsAllowed]) else { return false }
            do {
                _ = try JSONDecoder().decode(T.self, from: data)
                return nil
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                return true
            } catch {
                return false
            }
        }
        // Halves of a group that decodes are not searched further: a few misfits among many
        // numbers cost a few decodes each, not one per number. A single number is a misfit
        // when it alone, the others 0, fails as a number that does not fit.
        var misfits: [Int] = []
        func search(_ group: ArraySlice<Int>) {
            guard let failed = failure(group) else { return }
            if group.count == 1 {
                if failed { misfits.append(group.first!) }
                return
            }
            let middle = group.startIndex + group.count / 2
            search(group[..<middle])
            search(group[middle...])
        }
        // With every number 0 the input must decode, else the numbers are not (alone) the cause.
        guard !leaves.isEmpty, failure([]) == nil else { return [] }
        search(Array(leaves.indices)[...])
        return misfits.map { "'\(text(of: leaves[$0].path))' = \(leaves[$0].text)" }
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
    static func collectNumbers(_ value: Any, path: [PathStep], into leaves: inout [(path: [PathStep], text: String, value: NSNumber)]) {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() { collectNumbers(object[key]!, path: path + [.key(key)], into: &leaves) }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() { collectNumbers(element, path: path + [.index(index)], into: &leaves) }
        } else if let number = value as? NSNumber, !(value is Bool) {
            leaves.append((path, "\(number)", number))
        }
    }

    /// The tree with every number (not a boolean) replaced by 0.
    static func zeroingNumbers(_ value: Any) -> Any {
        if let object = value as? [String: Any] { return object.mapValues(zeroingNumbers) }
        if let array = value as? [Any] { return array.map(zeroingNumbers) }
        if value is NSNumber, !(value is Bool) { return NSNumber(value: 0) }
        return value
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
