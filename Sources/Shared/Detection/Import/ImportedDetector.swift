// What an import makes of a foreign checkpoint: our resolved config, the category table
// (class index -> dataset category id) and every parameter of the model under our names.
// `write(to:)` saves it as a detector checkpoint `predict` and `loce-finetune --from` read.
import Foundation
import SharedSupport
import SharedNN

public struct ImportedDetector: Sendable {
    public var config: DetectorConfig
    public var categoryIDs: [Int]
    /// The categories' names by class index (drawn detections), when known.
    public var categoryNames: [String]?
    /// Our parameter name -> shape and values; exactly the model's parameters.
    public var weights: [String: ForeignTensor]
    /// Facts the import decided (shown to the user and kept in the checkpoint's metadata).
    public var notes: [String]

    public init(config: DetectorConfig, categoryIDs: [Int], categoryNames: [String]? = nil, weights: [String: ForeignTensor],
                notes: [String]) {
        self.config = config
        self.categoryIDs = categoryIDs
        self.categoryNames = categoryNames
        self.weights = weights
        self.notes = notes
    }

    /// Metadata key holding the import's provenance ("format, file, notes").
    public static let sourceKey = "imported_from"

    /// The model and its store filled with the imported weights (no random initialisation
    /// first); every parameter must be present with the model's shape (the layouts guarantee
    /// it; a failure here is a layout bug reported as an error, not a trap).
    public func makeModel(source: String) throws -> (model: MaskRCNN, store: ParameterStore) {
        var layout = ParameterLayout()
        let model = MaskRCNN(config: config, layout: &layout)
        let store = ParameterStore(layout: layout)
        for parameter in store.parameters {
            guard let tensor = weights[parameter.name] else {
                throw ToolError("the import made no value for \(parameter.name)", file: source,
                                hint: "this is a bug of the \(parameter.name.split(separator: ".").first ?? "") mapping; report it with the checkpoint's key list")
            }
            guard tensor.shape == parameter.shape else {
                throw ToolError("\(parameter.name): the import made shape \(tensor.shape), the model needs \(parameter.shape)", file: source,
                                hint: "the checkpoint's architecture differs from the implied config; pass --config with its settings")
            }
            let value = store.value(parameter)
            value.withUnsafeMutableBufferPointer { target in _ = target.update(fromContentsOf: tensor.values) }
        }
        let extra = Set(weights.keys).subtracting(store.parameters.map(\.name))
        if let name = extra.sorted().first {
            throw ToolError("the import made \(extra.count) tensors the model does not have (first: \(name))", file: source,
                            hint: "this is a bug of the mapping; report it with the checkpoint's key list")
        }
        return (model, store)
    }

    /// Writes a detector checkpoint (step 0, no momentum: a model to predict with or to
    /// fine-tune from) atomically at `path`.
    public func write(to path: String, source: String, format: String) throws {
        let store = try makeModel(source: source).store
        let json = String(decoding: try config.encoded(), as: UTF8.self)
        let state = TrainingState(step: 0, random: SeededRandom(seed: config.seed), configJSON: json)
        var file = TrainingCheckpoint.file(store: store, state: state, includeMomentum: false)
        file.metadata[DetectorCheckpoint.categoriesKey] = "[" + categoryIDs.map(String.init).joined(separator: ",") + "]"
        if let categoryNames, categoryNames.count == categoryIDs.count {
            file.metadata[DetectorCheckpoint.categoryNamesKey] = DetectorCheckpoint.encodedNames(categoryNames)
        }
        file.metadata[Self.sourceKey] = ([format, URL(fileURLWithPath: source).lastPathComponent] + notes).joined(separator: "; ")
        try file.write(to: path)
    }
}
