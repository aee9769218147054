// The detector's checkpoint: `TrainingCheckpoint` (weights, momentum, step, RNG state,
// resolved config) plus the category table it was trained on (class index -> LVIS id, in
// the metadata key "category_ids"), so `predict` can refuse data with other categories.
import Foundation
import SharedSupport
import SharedNN
import SharedData

public enum DetectorCheckpoint {
    public static let fileName = "checkpoint.safetensors"
    public static let categoriesKey = "category_ids"

    /// Writes the checkpoint atomically.
    public static func save(to path: String, store: ParameterStore, state: TrainingState, categoryIDs: [Int]) throws {
        var file = TrainingCheckpoint.file(store: store, state: state)
        file.metadata[categoriesKey] = "[" + categoryIDs.map(String.init).joined(separator: ",") + "]"
        try file.write(to: path)
    }

    /// The config and category ids stored in a checkpoint (read before the model is built).
    public static func header(of file: SafetensorsFile, path: String) throws -> (config: DetectorConfig, categoryIDs: [Int]?) {
        guard file.metadata["format"] == TrainingCheckpoint.format, let text = file.metadata["config"] else {
            throw ToolError("not a detector checkpoint (no loce-checkpoint config in its metadata)", file: path,
                            hint: "pass the checkpoint.safetensors written by `detect-train fit` or `loce-finetune fit`")
        }
        let config: DetectorConfig
        do {
            config = try DetectorConfig.decode(Data(text.utf8), file: path + " (metadata config)")
        } catch let error as ToolError {
            throw ToolError("its stored config does not load: \(error.message)", file: path,
                            hint: "the checkpoint was written by another version of the tools; train it again")
        }
        guard config.roiHeads.numClasses != nil else {
            throw ToolError("its stored config has no class count", file: path, hint: "the checkpoint is damaged; train it again")
        }
        var ids: [Int]?
        if let list = file.metadata[categoriesKey] {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(list.utf8)) as? [Int] else {
                throw ToolError("metadata \(categoriesKey) is not a list of integers", file: path, hint: "the checkpoint is damaged; train it again")
            }
            ids = parsed
        }
        return (config, ids)
    }

    /// Refuses a checkpoint whose category table is not the data's (count or ids).
    public static func requireSameCategories(checkpointIDs: [Int]?, checkpointConfig: DetectorConfig,
                                             dataIDs: [Int], checkpoint: String, data: String) throws {
        var dataConfig = checkpointConfig
        dataConfig.roiHeads.numClasses = dataIDs.count
        let differing = checkpointConfig.architectureDifferences(from: dataConfig)
        guard differing.isEmpty else {
            throw ToolError("the checkpoint does not fit the data: "
                            + differing.map { "\($0.path): checkpoint \($0.left), data \($0.right)" }.joined(separator: "; "),
                            file: checkpoint,
                            hint: "predict on shards with the category table the checkpoint was trained on (\(data) has \(dataIDs.count) categories)")
        }
        if let checkpointIDs, checkpointIDs != dataIDs {
            let firstDifference = zip(checkpointIDs, dataIDs).enumerated().first { $0.element.0 != $0.element.1 }
            let detail = firstDifference.map { "class index \($0.offset): checkpoint id \($0.element.0), data id \($0.element.1)" } ?? ""
            throw ToolError("the checkpoint was trained on other categories than the data's manifest (\(detail))", file: checkpoint,
                            hint: "use shards converted from the same category table as the training data (\(data))")
        }
    }
}
