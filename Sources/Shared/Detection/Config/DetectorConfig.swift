// The typed configuration of a Mask R-CNN run (model, input, solver, test, seed): what
// `pipelines/configs/*.json` files decode into. A later stage's config is this document plus
// its own top-level section (stage 2's "loce": LongTail's `FinetuneConfig`), which this type
// does not know: `DetectorConfigSection`, `RunConfig`.
import Foundation
import SharedSupport

/// Everything a `detect-train` / `loce-finetune` run needs to know besides its paths.
/// Decoded strictly (`load(path:)`): an unknown key is an error naming its path; the
/// resolved value is saved next to every output and in checkpoints.
public struct DetectorConfig: Codable, Equatable, Sendable {
    /// The preset this file is ("smoke", "tiny", "r50-fpn", "tiny-loce", ...): for logs only.
    public var preset: String
    public var backbone: BackboneConfig
    public var fpn: FPNConfig
    public var rpn: RPNConfig
    public var roiHeads: ROIHeadsConfig
    public var input: InputConfig
    public var solver: SolverConfig
    public var test: TestConfig
    /// Seeds initialisation, data order and sampling (with the thread count: same bytes).
    public var seed: UInt64

    /// The top-level keys (a document's other top-level keys are a later stage's sections).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case preset, backbone, fpn, rpn, roiHeads, input, solver, test, seed
    }

    /// Reads, strictly decodes and validates the config file at `path`.
    public static func load(path: String) throws -> DetectorConfig {
        let config = try StrictConfigDecoder.load(DetectorConfig.self, path: path)
        try config.validate(file: path)
        return config
    }

    /// Strictly decodes and validates `data` (named `file` in messages).
    public static func decode(_ data: Data, file: String) throws -> DetectorConfig {
        let config = try StrictConfigDecoder.decode(DetectorConfig.self, from: data, file: file)
        try config.validate(file: file)
        return config
    }

    /// Pretty, key-sorted JSON (the resolved config written next to outputs and into
    /// checkpoint metadata); decodes back to an equal value.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The config with the class count fixed (presets for the synthetic data leave
    /// `roiHeads.numClasses` null: it comes from the training manifest). Throws if the file
    /// named a different count, if the count is outside `ConfigLimits.classCount`, or if the
    /// model it makes is too large (`validate`).
    public func resolved(numClasses: Int) throws -> DetectorConfig {
        try resolved(numClasses: numClasses, with: nil)
    }

    /// `resolved(numClasses:)` for the detector part of a config with a later stage's
    /// `section`: the sizes checked are the detector's and the section's together.
    public func resolved(numClasses: Int, with section: (any DetectorConfigSection)?) throws -> DetectorConfig {
        if let stated = roiHeads.numClasses, stated != numClasses {
            throw ToolError("the config says roiHeads.numClasses = \(stated) but the data has \(numClasses) categories",
                            hint: "set roiHeads.numClasses to \(numClasses) or to null (taken from the data)")
        }
        guard ConfigLimits.classCount.contains(numClasses) else {
            throw ToolError("the data has \(numClasses) categories; a model needs \(ConfigLimits.classCount.configText) "
                            + "(roiHeads.numClasses)",
                            hint: numClasses < 1 ? "convert annotations whose \"categories\" list is not empty" : nil)
        }
        var copy = self
        copy.roiHeads.numClasses = numClasses
        try copy.validate(with: section)
        return copy
    }

    /// The class count; the config must have been resolved (`resolved(numClasses:)`).
    public var classCount: Int {
        guard let count = roiHeads.numClasses else {
            preconditionFailure("roiHeads.numClasses is unresolved; call resolved(numClasses:) first")
        }
        return count
    }
}
