// Stage 2's own state in a checkpoint (docs/method.md §Departures from the reference): the
// mean scores and the feature memory as named tensors of a safetensors file, so a resumed
// fine-tuning continues exactly. Names, dtypes and shapes:
//   loce.mean_scores          F32 [C + 1]          loce.mean_score_counts  I64 [C + 1]
//   loce.memory.features      F32 [C, capacity, D] loce.memory.targets     F32 [C, capacity, 4]
//   loce.memory.heads         I64 [C]              loce.memory.counts      I64 [C]
// Loading checks every shape against the config's (classes, capacity, feature size) and
// refuses values that are not finite, so a damaged or hand-made file cannot reach a trap.
import SharedNN
import SharedSupport

/// The tensor names of the long-tail state.
public enum LongTailCheckpointName {
    public static let meanScores = "loce.mean_scores"
    public static let meanScoreCounts = "loce.mean_score_counts"
    public static let memoryFeatures = "loce.memory.features"
    public static let memoryTargets = "loce.memory.targets"
    public static let memoryHeads = "loce.memory.heads"
    public static let memoryCounts = "loce.memory.counts"
}

/// What to do about a damaged long-tail state.
let damagedHint = "the checkpoint is damaged; start the fine-tuning again (without --resume) into an empty folder"

/// The tensor `name` of `file` with `dtype`, or a data error naming what is missing.
func requiredTensor(_ file: SafetensorsFile, _ name: String, _ dtype: SafetensorsDType) throws -> SafetensorsTensor {
    guard let tensor = file[name] else {
        throw ToolError("checkpoint has no tensor \(name)", hint: "resume from a checkpoint written by loce-finetune, or start from the stage-1 checkpoint with --from")
    }
    guard tensor.dtype == dtype else {
        throw ToolError("checkpoint tensor \(name) is \(tensor.dtype.rawValue), expected \(dtype.rawValue)")
    }
    return tensor
}

extension MeanScores {
    /// Adds the scores and observation counts to `file`.
    public func save(into file: inout SafetensorsFile) {
        file.set(LongTailCheckpointName.meanScores, SafetensorsTensor(float32: scores, shape: [scores.count]))
        file.set(LongTailCheckpointName.meanScoreCounts,
                 SafetensorsTensor(int64: observationCounts.map(Int64.init), shape: [observationCounts.count]))
    }

    /// Restores the value saved by `save(into:)`; `alpha` and `backgroundScore` come from the
    /// config. With `classCount`, the saved scores must be for that many classes.
    public init(from file: SafetensorsFile, alpha: Float = 0.9, backgroundScore: Float = 0.01, classCount: Int? = nil) throws {
        let scores = try requiredTensor(file, LongTailCheckpointName.meanScores, .float32)
        let counts = try requiredTensor(file, LongTailCheckpointName.meanScoreCounts, .int64)
        if let classCount, scores.elementCount != classCount + 1 {
            throw ToolError("checkpoint tensor \(LongTailCheckpointName.meanScores) has \(scores.elementCount) entries, the model's "
                            + "\(classCount) classes need \(classCount + 1)", hint: damagedHint)
        }
        let observations = counts.int64Values()
        if let negative = observations.first(where: { $0 < 0 }) {
            throw ToolError("checkpoint tensor \(LongTailCheckpointName.meanScoreCounts) holds \(negative), not a count",
                            hint: damagedHint)
        }
        do {
            try self.init(scores: scores.floatValues(), observationCounts: observations.map { Int($0) },
                          alpha: alpha, backgroundScore: backgroundScore)
        } catch let error as MeanScoresError {
            throw ToolError("checkpoint \(error)", hint: damagedHint)
        }
    }
}

extension FeatureMemory {
    /// Adds the memory's buffers, heads and counts to `file`.
    public func save(into file: inout SafetensorsFile) {
        file.set(LongTailCheckpointName.memoryFeatures, SafetensorsTensor(float32: features, shape: [classCount, capacity, featureSize]))
        file.set(LongTailCheckpointName.memoryTargets, SafetensorsTensor(float32: targets, shape: [classCount, capacity, 4]))
        file.set(LongTailCheckpointName.memoryHeads, SafetensorsTensor(int64: heads.map(Int64.init), shape: [classCount]))
        file.set(LongTailCheckpointName.memoryCounts, SafetensorsTensor(int64: counts.map(Int64.init), shape: [classCount]))
    }

    /// Restores the memory saved by `save(into:)`; its shape comes from the file and must
    /// equal each of `classCount`, `capacity` and `featureSize` that is given (the config's).
    /// Features and targets must be finite.
    public init(from file: SafetensorsFile, classCount: Int? = nil, capacity: Int? = nil, featureSize: Int? = nil) throws {
        let features = try requiredTensor(file, LongTailCheckpointName.memoryFeatures, .float32)
        let targets = try requiredTensor(file, LongTailCheckpointName.memoryTargets, .float32)
        let heads = try requiredTensor(file, LongTailCheckpointName.memoryHeads, .int64)
        let counts = try requiredTensor(file, LongTailCheckpointName.memoryCounts, .int64)
        guard features.shape.count == 3 else {
            throw ToolError("checkpoint tensor \(LongTailCheckpointName.memoryFeatures) has shape \(features.shape), expected [C, capacity, D]",
                            hint: damagedHint)
        }
        let expected = [classCount ?? features.shape[0], capacity ?? features.shape[1], featureSize ?? features.shape[2]]
        guard features.shape == expected else {
            throw ToolError("checkpoint tensor \(LongTailCheckpointName.memoryFeatures) has shape \(features.shape), the config's "
                            + "memory is \(expected) (classes, loce.memory.queueCapacity, feature size)", hint: damagedHint)
        }
        let featureValues = features.floatValues(), targetValues = targets.floatValues()
        for (name, values) in [(LongTailCheckpointName.memoryFeatures, featureValues), (LongTailCheckpointName.memoryTargets, targetValues)] {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw ToolError("checkpoint tensor \(name) holds a value that is not finite (element \(index): \(values[index]))",
                                hint: damagedHint)
            }
        }
        do {
            try self.init(classCount: features.shape[0], capacity: features.shape[1], featureSize: features.shape[2],
                          features: featureValues, targets: targetValues,
                          heads: heads.int64Values().map { Int($0) }, counts: counts.int64Values().map { Int($0) })
        } catch let error as FeatureMemoryError {
            throw ToolError("checkpoint \(error)", hint: damagedHint)
        }
    }
}
