// What every training command opens first: the training shards (refused when they hold no
// images, or a class count outside `ConfigLimits.classCount`) and the config file, resolved
// for the shards' class count. Shared by `detect-train fit` and `loce-finetune fit`.
import SharedData
import SharedSupport

public enum TrainingInputs {
    /// Opens the shard folder `trainPath` (warning when it is not a "train" split) and loads
    /// `configPath` as a stage-1 config resolved for its classes; config errors name the config file.
    public static func open(trainPath: String, configPath: String, logger: Logger) throws -> (dataset: ShardDataset, config: DetectorConfig) {
        try open(trainPath: trainPath, configPath: configPath, logger: logger) { path, classes in
            try DetectorConfig.load(path: path).resolved(numClasses: classes)
        }
    }

    /// `open(trainPath:configPath:logger:)` with the stage's own config loader: `load(path,
    /// classes)` reads the config at `path` resolved for `classes` classes (stage 2's adds its
    /// section, `FinetuneConfig`).
    public static func open<Config>(trainPath: String, configPath: String, logger: Logger,
                                    load: (String, Int) throws -> Config) throws -> (dataset: ShardDataset, config: Config) {
        let dataset = try ShardDataset(directory: trainPath)
        guard dataset.count > 0 else {
            throw ToolError("the training shards hold no images", file: trainPath, hint: "convert a split with images (`lvis-prep convert`)")
        }
        let classes = dataset.categories.count
        guard ConfigLimits.classCount.contains(classes) else {
            throw ToolError("the training shards have \(classes) categories; a detector needs \(ConfigLimits.classCount.configText) "
                            + "(its classifier has one output per category)", file: trainPath,
                            hint: classes < 1 ? "convert annotations whose \"categories\" list is not empty (`lvis-prep convert`)"
                                : "split the category table, or train on a subset of the categories")
        }
        if dataset.manifest.split != "train" {
            logger.warning("\(trainPath) holds the \"\(dataset.manifest.split)\" split, not \"train\": training on it "
                           + "(an evaluation on the same images would overstate AP)")
        }
        do {
            let config = try load(configPath, dataset.categories.count)
            return (dataset, config)
        } catch let error as ToolError {
            throw error.inFile(configPath)
        }
    }
}
