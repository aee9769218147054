// The config of a stage-2 run (`loce-finetune fit`): the detector's config plus the top-level
// "loce" section, in one JSON document (the -loce presets: their stage-1 preset plus
// parts/loce.json). Decoded strictly as a whole (an unknown key anywhere is an error naming its
// path; the "loce" section is required), validated as a whole (the detector's fields, the
// section's, then the sizes of both together), and written back in the same shape: config.json
// and the checkpoint metadata hold the detector's keys and "loce" side by side.
import Foundation
import SharedSupport
import SharedDetection

///
/// The detector's fields read through (`config.solver`, `config.seed = 7`).
@dynamicMemberLookup
public struct FinetuneConfig: Codable, Equatable, Sendable {
    /// Everything but the stage-2 section (the document's other top-level keys).
    public var detector: DetectorConfig
    /// The document's "loce" object.
    public var loce: LOCEConfig

    public init(detector: DetectorConfig, loce: LOCEConfig) {
        self.detector = detector
        self.loce = loce
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<DetectorConfig, Value>) -> Value {
        get { detector[keyPath: keyPath] }
        set { detector[keyPath: keyPath] = newValue }
    }

    /// The top-level key of the stage-2 section.
    public static let sectionKey = "loce"

    /// Whether a config document (a JSON object) has a stage-2 section (a "loce" that is not null).
    public static func hasSection(_ document: [String: Any]?) -> Bool {
        guard let value = document?[sectionKey] else { return false }
        return !(value is NSNull)
    }

    private enum SectionKey: String, CodingKey { case loce }

    public init(from decoder: Decoder) throws {
        detector = try DetectorConfig(from: decoder)
        loce = try decoder.container(keyedBy: SectionKey.self).decode(LOCEConfig.self, forKey: .loce)
    }

    public func encode(to encoder: Encoder) throws {
        try detector.encode(to: encoder)
        var container = encoder.container(keyedBy: SectionKey.self)
        try container.encode(loce, forKey: .loce)
    }

    /// Reads, strictly decodes and validates the stage-2 config file at `path` (bases applied).
    /// A file without a "loce" section is a stage-1 config: refused as a usage error.
    public static func load(path: String) throws -> FinetuneConfig {
        let (data, _) = try ConfigInheritance.resolve(path: path)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], !hasSection(object) {
            throw ToolError("the config has no loce section (it is a stage-1 config)", file: path,
                            hint: "use a stage-2 preset such as pipelines/configs/tiny-loce.json", exitCode: .usage)
        }
        let config = try StrictConfigDecoder.load(FinetuneConfig.self, path: path)
        try config.validate(file: path)
        return config
    }

    /// Strictly decodes and validates `data` (named `file` in messages).
    public static func decode(_ data: Data, file: String) throws -> FinetuneConfig {
        let config = try StrictConfigDecoder.decode(FinetuneConfig.self, from: data, file: file)
        try config.validate(file: file)
        return config
    }

    /// `detect-train fit`'s config: a stage-1 config (`DetectorConfig.load(path:)`); a stage-2
    /// file is refused as a usage error naming the tool that takes it.
    public static func loadStageOne(path: String) throws -> DetectorConfig {
        let (data, _) = try ConfigInheritance.resolve(path: path)
        if hasSection(try? JSONSerialization.jsonObject(with: data) as? [String: Any]) {
            throw ToolError("this is a stage-2 config (it has a loce section); use loce-finetune fit", file: path,
                            hint: "train stage 1 with its stage-1 preset (tiny.json for tiny-loce.json), then fine-tune with "
                            + "`loce-finetune fit --config \(path) --from OUT/checkpoint.safetensors`", exitCode: .usage)
        }
        let config = try DetectorConfig.load(path: path)
        // Stage 1 trains the softmax classifier; another activation belongs to a stage-2 loss.
        if let activation = config.roiHeads.boxHead.scoreActivation, activation != .softmax {
            throw ToolError("roiHeads.boxHead.scoreActivation \(activation.rawValue) is a stage-2 loss's classifier; stage 1 trains "
                            + "softmax scores", file: path,
                            hint: "leave the key out; choose the loss in a stage-2 config (loce.loss) or with loce-finetune fit --loss",
                            exitCode: .usage)
        }
        return config
    }

    /// The stage-2 config a checkpoint stores; nil for a stage-1 checkpoint (no sections). The
    /// document is decoded strictly and validated as a whole, like a config file: another
    /// section than "loce", or a bad value in it, is refused.
    public static func stored(in header: CheckpointConfig, checkpoint path: String) throws -> FinetuneConfig? {
        guard !header.sections.isEmpty else { return nil }
        do {
            return try decode(header.document, file: path + " (metadata config)")
        } catch let error as ToolError {
            throw ToolError("its stored config does not load: \(error.message)", file: path,
                            hint: "the checkpoint was written by another version of the tools, or altered; train it again")
        }
    }

    /// Throws a `ToolError` (in `file`, exit 1) listing every invalid field of both parts.
    public func validate(file: String? = nil) throws {
        try detector.validate(file: file, with: loce)
    }

    /// Every problem of both parts ("loce.key: what is wrong"), the sizes of both together.
    public func validationProblems() -> [String] {
        detector.validationProblems(with: loce)
    }

    /// The config with the class count fixed (`DetectorConfig.resolved(numClasses:)`, the
    /// feature memory sized for those classes).
    public func resolved(numClasses: Int) throws -> FinetuneConfig {
        FinetuneConfig(detector: try detector.resolved(numClasses: numClasses, with: loce), loce: loce)
    }

    /// The buffers of the whole config (`DetectorConfig.largestBuffers`, with the memory's).
    public func largestBuffers() -> [ConfigBuffer] {
        detector.largestBuffers(with: loce)
    }
}

extension FinetuneConfig: RunConfig {
    /// `loce.frozen`: fixed for the whole run.
    public var frozenParts: [ModelPart] { loce.frozen }

    /// Pretty, key-sorted JSON of the whole config (the detector's keys and "loce"), as a
    /// stage-1 config is written (`DetectorConfig.encoded()`); decodes back to an equal value.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
