// What every training command opens first: the training shards (refused when empty) and
// the config file, resolved for the shards' class count. Shared by `detect-train fit` and
// `loce-finetune fit`.
import SharedData
import SharedSupport

public enum TrainingInputs {
    /// Opens the shard folder `trainPath` (warning when it is not a "train" split) and loads
    /// `configPath` resolved for its classes; config errors name the config file.
    public static func open(trainPath: String, configPath: String, logger: Logger) throws -> (dataset: ShardDataset, config: DetectorConfig) {
        let dataset = try ShardDataset(directory: trainPath)
        guard dataset.count > 0 else {
            throw ToolError("the training shards hold no images", file: trainPath, hint: "convert a split with images (`lvis-prep convert`)")
        }
        if dataset.manifest.split != "train" {
            logger.warning("\(trainPath) holds the \"\(dataset.manifest.split)\" split, not \"train\": training on it "
                           + "(an evaluation on the same images would overstate AP)")
        }
        do {
            let config = try DetectorConfig.load(path: configPath).resolved(numClasses: dataset.categories.count)
            return (dataset, config)
        } catch let error as ToolError {
            throw error.inFile(configPath)
        }
    }
}
