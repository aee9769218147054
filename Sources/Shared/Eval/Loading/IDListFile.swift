// The id files of `--img-ids`, `--cat-ids` and `--slice NAME=FILE`: a JSON array of integers
// (`[139, 285, 632]`) or one integer per line (blank lines allowed). A file that cannot be
// read is exit 74; one that is not such a list, lists no id, or names an id the ground truth
// does not have is a usage error (exit 64) naming the option, the file and the line.
import SharedData
import SharedSupport

/// The ids one file lists, with the option that named it (for messages).
public struct IDList: Sendable, Equatable {
    /// "--img-ids", "--cat-ids", "--slice night".
    public var option: String
    public var path: String
    /// In file order, duplicates kept (the references take `np.unique` of them).
    public var ids: [Int]

    public init(option: String, path: String, ids: [Int]) {
        self.option = option
        self.path = path
        self.ids = ids
    }

    /// Reads `path`. Throws 74 when unreadable, 64 when malformed or empty.
    public static func read(path: String, option: String) throws -> IDList {
        let input = try JSONInput(path: path)
        let ids: [Int]
        do {
            ids = try withExtendedLifetime(input) { try parse(input.bytes, path: path) }
        } catch var error as ToolError {
            error.message = "\(option): \(error.message)"
            error.exitCode = .usage
            error.hint = error.hint ?? formatHint
            throw error
        }
        guard !ids.isEmpty else {
            throw ToolError("\(option): the file lists no id", file: path, hint: formatHint, exitCode: .usage)
        }
        return IDList(option: option, path: path, ids: ids)
    }

    static let formatHint = "give a JSON array of integers ([139, 285]) or one integer per line"

    /// A JSON array when the first non-blank byte is `[`, else one integer per line.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [Int] {
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard let first = bytes.firstIndex(where: { !blank.contains($0) }) else { return [] }
        if bytes[first] == UInt8(ascii: "[") {
            var reader = JSONReader(bytes: bytes, path: path)
            var ids: [Int] = []
            try reader.beginArray()
            while try reader.nextElement() { ids.append(try reader.readInt()) }
            try reader.finish()
            return ids
        }
        var ids: [Int] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingBlanks
            if text.isEmpty { continue }
            guard let id = Int(text) else {
                throw ToolError("line \(lineNumber) is \"\(text.prefix(40))\", not an integer id", file: path)
            }
            ids.append(id)
        }
        return ids
    }

    /// Sorted unique indices of the listed ids (`index(id)` nil: not in the ground truth, a
    /// usage error naming the first such id).
    func resolve(_ index: (Int) -> Int?, kind: String, groundTruthPath: String) throws -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(ids.count)
        for id in ids {
            guard let i = index(id) else {
                throw ToolError("\(option): \(kind) id \(id) is not in the ground truth \(groundTruthPath)", file: path,
                                hint: "list ids of the ground truth's \(kind == "image" ? "images" : "categories") only",
                                exitCode: .usage)
            }
            indices.append(i)
        }
        return Array(Set(indices)).sorted()
    }

    /// The listed images as flags over the ground truth's image indices.
    public func imageFlags(_ groundTruth: GroundTruthIndex, groundTruthPath: String) throws -> [Bool] {
        var flags = [Bool](repeating: false, count: groundTruth.imageCount)
        for i in try resolve({ groundTruth.imageIndex(of: ImageID($0)) }, kind: "image", groundTruthPath: groundTruthPath) {
            flags[i] = true
        }
        return flags
    }

    /// The listed categories as sorted category indices.
    public func categoryIndices(_ groundTruth: GroundTruthIndex, groundTruthPath: String) throws -> [Int] {
        try resolve({ groundTruth.categoryIndex(of: CategoryID($0)) }, kind: "category", groundTruthPath: groundTruthPath)
    }
}

private extension String {
    var trimmingBlanks: String {
        var scalars = Substring(self)
        while let c = scalars.first, c == " " || c == "\t" || c == "\r" { scalars.removeFirst() }
        while let c = scalars.last, c == " " || c == "\t" || c == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
