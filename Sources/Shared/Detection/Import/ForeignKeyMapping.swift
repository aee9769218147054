// The bookkeeping of one import: which foreign tensors became which of ours, so that a key
// the layout expects but the file lacks, and a key the file has but no rule takes, are
// errors that name them (never a silently half-loaded model).
import SharedSupport

/// Takes tensors out of a `ForeignStateDict` under rules; `finish` refuses leftovers.
public struct ForeignKeyMapping {
    public let source: ForeignStateDict
    /// Where the state dict came from (for messages).
    public let file: String
    /// Foreign names to drop without a rule (e.g. `num_batches_tracked`), by suffix.
    public let ignoredSuffixes: [String]
    private var used = Set<String>()
    private var missing: [String] = []
    public private(set) var weights: [String: ForeignTensor] = [:]

    public init(_ source: ForeignStateDict, file: String, ignoredSuffixes: [String] = []) {
        self.source = source
        self.file = file
        self.ignoredSuffixes = ignoredSuffixes
    }

    /// Whether the file has `name`.
    public func has(_ name: String) -> Bool { source[name] != nil }

    /// The foreign tensor `name` (marked used), or nil and recorded as missing.
    private mutating func take(_ name: String) -> ForeignTensor? {
        guard let tensor = source[name] else {
            missing.append(name)
            return nil
        }
        used.insert(name)
        return tensor
    }

    /// Copies foreign `name` to our `ours`, optionally transformed; checks the rank-and-shape
    /// expectation `shape` when given.
    public mutating func copy(_ name: String, to ours: String, shape: [Int]? = nil,
                              transform: ((ForeignTensor) throws -> ForeignTensor)? = nil) throws {
        guard var tensor = take(name) else { return }
        if let shape, tensor.shape != shape {
            throw ToolError("\(name) has shape \(tensor.shape); the implied model needs \(shape)", file: file,
                            hint: "the checkpoint's architecture is not the one its other tensors imply; pass --config with its settings")
        }
        if let transform { tensor = try transform(tensor) }
        weights[ours] = tensor
    }

    /// Copies a per-class predictor `theirs`.weight/.bias to `ours`: `rowsPerClass` rows per
    /// class, or, when the file's has just `rowsPerClass` rows (class-agnostic: mmdetection's
    /// `reg_class_agnostic`, detectron2's CLS_AGNOSTIC_*), those rows repeated for each of
    /// `classes` (the same outputs at inference). Returns the note to show when it repeated.
    public mutating func copyPerClassPredictor(_ theirs: String, to ours: String, rowsPerClass: Int, classes: Int,
                                               what: String) throws -> String? {
        let agnostic = source[theirs + ".weight"]?.shape.first == rowsPerClass && classes != 1
        for part in ["weight", "bias"] {
            try copy("\(theirs).\(part)", to: "\(ours).\(part)") { tensor in
                agnostic ? repeatRows(tensor, times: classes) : tensor
            }
        }
        return agnostic ? "class-agnostic \(what) repeated per class" : nil
    }

    /// Throws if a rule asked for a key the file lacks, or the file has keys no rule took.
    public func finish(format: String) throws {
        if !missing.isEmpty {
            throw ToolError("\(missing.count) tensor(s) the \(format) layout needs are missing: \(Self.list(missing))", file: file,
                            hint: "is this a \(format) Mask R-CNN checkpoint? check --format")
        }
        let unexpected = source.names.filter { name in
            !used.contains(name) && !ignoredSuffixes.contains { name.hasSuffix($0) }
        }
        if !unexpected.isEmpty {
            throw ToolError("\(unexpected.count) tensor(s) have no place in the implied model: \(Self.list(unexpected))", file: file,
                            hint: "the checkpoint has parts our Mask R-CNN lacks (another architecture?); check --format")
        }
    }

    static func list(_ names: [String]) -> String {
        names.prefix(6).joined(separator: ", ") + (names.count > 6 ? ", ... (\(names.count - 6) more)" : "")
    }
}
