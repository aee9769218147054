// Field-by-field comparison of two configs, used to refuse a checkpoint written under
// another config ("roiHeads.numClasses: checkpoint 1203, config 100").
import Foundation
import SharedSupport

/// One field whose value differs between two configs; values are compact JSON
/// ("absent" when a side lacks the field).
public struct ConfigDifference: Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var left: String
    public var right: String

    public init(path: String, left: String, right: String) {
        self.path = path
        self.left = left
        self.right = right
    }

    public var description: String { "\(path): \(left) vs \(right)" }
}

extension DetectorConfig {
    /// The fields that fix the parameter shapes and what the model's outputs mean: a
    /// checkpoint is only usable under a config that agrees on all of them.
    public static let architecturePaths: [String] = [
        "backbone.block", "backbone.stageBlocks", "backbone.stemWidth", "backbone.stageWidths",
        "backbone.norm", "backbone.groups", "backbone.strideInFirstConv",
        "fpn",
        "rpn.anchorScales", "rpn.anchorRatios", "rpn.anchorStrides", "rpn.coder",
        "roiHeads.numClasses", "roiHeads.boxPooler", "roiHeads.maskPooler", "roiHeads.canonicalSize",
        "roiHeads.canonicalLevel",
        "roiHeads.boxHead.fcCount", "roiHeads.boxHead.fcDim", "roiHeads.boxHead.coder",
        "roiHeads.maskHead.convCount", "roiHeads.maskHead.convDim", "roiHeads.maskHead.classifier",
        "roiHeads.maskHead.normedScale",
        "input.pixelMean", "input.pixelStd",
    ]

    /// Every field (leaf path, "a.b[2]" for array entries) whose value differs from
    /// `other`, in key order; restricted to paths under one of `scope` when given.
    public func differences(from other: DetectorConfig, within scope: [String]? = nil) -> [ConfigDifference] {
        let left = Self.jsonTree(self), right = Self.jsonTree(other)
        var found: [ConfigDifference] = []
        Self.compare(left, right, path: "", into: &found)
        guard let scope else { return found }
        return found.filter { difference in
            scope.contains { prefix in
                difference.path == prefix || difference.path.hasPrefix(prefix + ".") || difference.path.hasPrefix(prefix + "[")
            }
        }
    }

    /// The differences that make a checkpoint's weights unusable (`architecturePaths`).
    public func architectureDifferences(from other: DetectorConfig) -> [ConfigDifference] {
        differences(from: other, within: Self.architecturePaths)
    }

    /// Fields a resumed run may change: how often it saves changes nothing it computes.
    public static let resumeFreePaths: Set<String> = ["solver.checkpointPeriod"]

    /// Throws, listing every differing field, unless `checkpointConfig` has the same
    /// architecture (`scope` nil) or agrees on every field in `scope` ([""] = all fields
    /// but `resumeFreePaths`).
    public func requireCompatible(checkpointConfig: DetectorConfig, checkpoint: String,
                                  scope: [String] = DetectorConfig.architecturePaths) throws {
        let found = scope == [""] ? checkpointConfig.differences(from: self).filter { !Self.resumeFreePaths.contains($0.path) }
                                  : checkpointConfig.differences(from: self, within: scope)
        try Self.refuse(found, checkpoint: checkpoint)
    }

    /// Throws, listing every differing field, unless the whole config of the run being resumed
    /// (`run`: the detector's fields and a later stage's sections) is the one the checkpoint
    /// was written under (`stored`), every field but `resumeFreePaths`
    /// ("loce.memory.queueCapacity: checkpoint 80, config 40").
    public static func requireSameRun(_ run: some RunConfig, stored: CheckpointConfig, checkpoint: String) throws {
        var left = jsonTree(stored.detector) as? [String: Any] ?? [:]
        if !stored.sections.isEmpty, let document = try? JSONSerialization.jsonObject(with: stored.document) as? [String: Any] {
            for name in stored.sections { left[name] = document[name] }
        }
        let right = try JSONSerialization.jsonObject(with: run.encoded())
        var found: [ConfigDifference] = []
        compare(left, right, path: "", into: &found)
        try refuse(found.filter { !resumeFreePaths.contains($0.path) }, checkpoint: checkpoint)
    }

    private static func refuse(_ found: [ConfigDifference], checkpoint: String) throws {
        guard !found.isEmpty else { return }
        let lines = found.map { "  \($0.path): checkpoint \($0.left), config \($0.right)" }
        throw ToolError("the checkpoint was written under another config; "
                        + (found.count == 1 ? "1 field differs" : "\(found.count) fields differ") + ":\n"
                        + lines.joined(separator: "\n"),
                        file: checkpoint, hint: "use the config the checkpoint was trained with, or train a new one")
    }

    static func jsonTree(_ config: DetectorConfig) -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A config always encodes (plain numbers, strings, arrays); a failure is a bug.
        let data = try! encoder.encode(config)
        return try! JSONSerialization.jsonObject(with: data)
    }

    static func compare(_ a: Any?, _ b: Any?, path: String, into found: inout [ConfigDifference]) {
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            for key in Set(x.keys).union(y.keys).sorted() {
                compare(x[key], y[key], path: path.isEmpty ? key : "\(path).\(key)", into: &found)
            }
        } else if let x = a as? [Any], let y = b as? [Any], x.count == y.count {
            for index in x.indices { compare(x[index], y[index], path: "\(path)[\(index)]", into: &found) }
        } else {
            let left = render(a), right = render(b)
            if left != right { found.append(ConfigDifference(path: path, left: left, right: right)) }
        }
    }

    static func render(_ value: Any?) -> String {
        guard let value else { return "absent" }
        if value is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]),
           let text = String(data: data, encoding: .utf8) {
            return text
        }
        return "\(value)"
    }
}
