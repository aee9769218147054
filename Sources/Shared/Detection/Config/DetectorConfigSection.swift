// How a later stage extends the detector's config without Detection knowing it: its section
// sits at the top level of the same JSON document (stage 2's "loce", LongTail's `LOCEConfig`),
// is validated and sized together with the detector's fields (`DetectorConfigSection`), and the
// fit loop takes the whole config of a run as a `RunConfig` (the detector part it builds the
// model from, the parts the stage freezes, the JSON it writes to config.json and checkpoints).
import Foundation
import SharedSupport

/// A section a later stage adds at the top level of the detector's config document: its
/// checks and the buffers it makes run with the detector's, so a config is validated, and its
/// sizes estimated, as a whole.
public protocol DetectorConfigSection: Sendable {
    /// Adds the section's problems ("loce.key: what is wrong", paths from the document's top
    /// level); run after the detector's field checks, before the size checks.
    func addProblems(to problems: inout ConfigProblems, detector: DetectorConfig)
    /// The buffers the section makes that do not depend on the class count (listed after the
    /// detector's class-independent ones).
    func buffers(detector: DetectorConfig) -> [ConfigBuffer]
    /// The buffers the section makes for `classes` classes (listed last).
    func buffers(detector: DetectorConfig, classes: Int) -> [ConfigBuffer]
}

/// A run's whole config as the fit loop uses it: `DetectorConfig` for stage 1, LongTail's
/// `FinetuneConfig` (the detector's plus "loce") for stage 2.
public protocol RunConfig: Sendable {
    /// The detector part (resolved: the class count set).
    var detector: DetectorConfig { get }
    /// Model parts frozen for the whole run, besides `backbone.frozenStages` (stage 2's `loce.frozen`).
    var frozenParts: [ModelPart] { get }
    /// Pretty, key-sorted JSON of the whole config: OUT/config.json and the checkpoint metadata.
    func encoded() throws -> Data
}

extension DetectorConfig: RunConfig {
    public var detector: DetectorConfig { self }
    public var frozenParts: [ModelPart] { [] }
}

extension DetectorConfig {
    /// The top-level keys of the detector's part of a config document.
    public static let topLevelKeys = Set(CodingKeys.allCases.map(\.rawValue))

    /// Strictly decodes and validates the detector part of `data`, a document that may carry
    /// later stages' sections: the other top-level keys are not decoded but handed back by name
    /// (sorted) for the stage that owns them; an unknown key inside the detector's part is
    /// still an error naming its path.
    public static func decodeDetectorPart(_ data: Data, file: String) throws -> (config: DetectorConfig, sections: [String]) {
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        let sections = (object?.keys).map { $0.filter { !topLevelKeys.contains($0) }.sorted() } ?? []
        let config = try StrictConfigDecoder.decode(DetectorConfig.self, from: data, file: file, ignoring: Set(sections))
        try config.validate(file: file)
        return (config, sections)
    }
}
