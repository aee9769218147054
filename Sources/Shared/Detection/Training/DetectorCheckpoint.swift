// The detector's checkpoint: `TrainingCheckpoint` (weights, momentum, step, RNG state,
// resolved config) plus the category table it was trained on (class index -> LVIS id, in
// the metadata key "category_ids"), so `predict` can refuse data with other categories, and
// their names ("category_names", for drawn detections; absent in older checkpoints), and
// the iterations its run schedules ("scheduled_iterations"), so `predict` can say when a
// checkpoint comes from a run that has not finished, and a fingerprint of the training
// shards ("training_data"), so `--resume` can refuse other data.
import Foundation
import SharedSupport
import SharedNN
import SharedData

/// The config a checkpoint stores (metadata "config"): the detector's part, decoded strictly
/// and validated, and the names of the top-level sections a later stage added (stage 2's
/// "loce"), which the stage that owns them decodes from `document` (LongTail's
/// `FinetuneConfig.stored(in:checkpoint:)`). A stage-1 checkpoint has no sections.
public struct CheckpointConfig: Sendable {
    public let detector: DetectorConfig
    /// Sorted; empty for a stage-1 checkpoint.
    public let sections: [String]
    /// The whole stored JSON document.
    public let document: Data

    public init(detector: DetectorConfig, sections: [String], document: Data) {
        self.detector = detector
        self.sections = sections
        self.document = document
    }
}

public enum DetectorCheckpoint {
    public static let fileName = "checkpoint.safetensors"
    public static let categoriesKey = "category_ids"
    public static let categoryNamesKey = "category_names"
    public static let scheduledIterationsKey = "scheduled_iterations"
    public static let trainingDataKey = "training_data"

    /// The checkpoint's contents (stage 2 adds its own tensors before writing).
    public static func file(store: ParameterStore, state: TrainingState, categoryIDs: [Int], scheduledIterations: Int,
                            trainingData: ShardManifest) -> SafetensorsFile {
        var file = TrainingCheckpoint.file(store: store, state: state)
        file.metadata[categoriesKey] = "[" + categoryIDs.map(String.init).joined(separator: ",") + "]"
        let table = trainingData.categories.sorted { $0.index < $1.index }
        if table.map(\.id) == categoryIDs { file.metadata[categoryNamesKey] = encodedNames(table.map(\.name)) }
        file.metadata[scheduledIterationsKey] = String(scheduledIterations)
        file.metadata[trainingDataKey] = fingerprint(of: trainingData)
        return file
    }

    /// Writes the checkpoint atomically.
    public static func save(to path: String, store: ParameterStore, state: TrainingState, categoryIDs: [Int],
                            scheduledIterations: Int, trainingData: ShardManifest) throws {
        try file(store: store, state: state, categoryIDs: categoryIDs, scheduledIterations: scheduledIterations,
                 trainingData: trainingData).write(to: path)
    }

    /// "SPLIT, N images, shards CRC" : the split, the image count and a CRC-32 over every
    /// shard file's name, record count and CRC-32.
    public static func fingerprint(of manifest: ShardManifest) -> String {
        let list = manifest.shards.map { "\($0.file):\($0.records):\($0.crc32)" }.joined(separator: ";")
        return "\(manifest.split), \(manifest.counts.images) images, shards " + String(format: "%08x", crc32Checksum(Array(list.utf8)))
    }

    /// Refuses to resume the run of checkpoint `file` on other shards than it was trained on
    /// (checkpoints written before the fingerprint existed are not checked).
    public static func requireSameTrainingData(_ file: SafetensorsFile, checkpoint: String, dataset: ShardDataset) throws {
        guard let stored = file.metadata[trainingDataKey] else { return }
        let current = fingerprint(of: dataset.manifest)
        guard stored == current else {
            throw ToolError("the run was trained on other shards (\(stored)) than \(dataset.directory) (\(current))", file: checkpoint,
                            hint: "resume with the --train folder the run started with, or start a new run in another --out folder")
        }
    }

    /// Iterations done and scheduled by the run that wrote `file`; nil for checkpoints
    /// without the record (written before it existed).
    public static func trainingProgress(of file: SafetensorsFile) -> (done: Int, scheduled: Int)? {
        guard let scheduled = file.metadata[scheduledIterationsKey].flatMap({ Int($0) }),
              let step = file["state.step"], step.dtype == .int64, step.elementCount == 1 else { return nil }
        return (Int(step.int64Values()[0]), scheduled)
    }

    /// The metadata value of `categoryNamesKey`: the names by class index as a JSON array.
    public static func encodedNames(_ list: [String]) -> String {
        var names = JSONWriter(reservingCapacity: 64 * list.count)
        names.beginArray()
        for name in list { names.value(name) }
        names.endArray()
        return names.text
    }

    /// The category names stored in `file` by class index (nil in checkpoints written before
    /// they were stored, or when the list does not fit the class count).
    public static func categoryNames(of file: SafetensorsFile, classCount: Int) -> [String]? {
        guard let text = file.metadata[categoryNamesKey],
              let names = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String], names.count == classCount else { return nil }
        return names
    }

    /// The config and category ids stored in a checkpoint (read before the model is built).
    /// The detector's part of the config is checked here; a later stage's sections by that stage.
    public static func header(of file: SafetensorsFile, path: String) throws -> (config: CheckpointConfig, categoryIDs: [Int]?) {
        guard file.metadata["format"] == TrainingCheckpoint.format, let text = file.metadata["config"] else {
            throw ToolError("not a detector checkpoint (no loce-checkpoint config in its metadata)", file: path,
                            hint: "pass the checkpoint.safetensors written by `detect-train fit` or `loce-finetune fit`")
        }
        let config: DetectorConfig, sections: [String]
        do {
            (config, sections) = try DetectorConfig.decodeDetectorPart(Data(text.utf8), file: path + " (metadata config)")
        } catch let error as ToolError {
            throw ToolError("its stored config does not load: \(error.message)", file: path,
                            hint: "the checkpoint was written by another version of the tools, or altered; train it again")
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
        return (CheckpointConfig(detector: config, sections: sections, document: Data(text.utf8)), ids)
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
