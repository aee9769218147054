// `fit --val SHARDS --val-gt JSON --val-every N --best-metric M` for both stages: the
// `FitValidation` whose `evaluate` predicts the validation shards with the live model (the
// checkpoint's test settings, as `detect-train predict`), writes them to OUT/val-detections.json
// and evaluates them in-process with the same code as `detect-eval` (LVIS or COCO rules by the
// ground-truth file, box and mask AP). Logged metrics: bbox_AP, bbox_APr, bbox_APc, bbox_APf,
// then the same for segm; `--best-metric` names the mask one (LVIS's primary metric).
import Foundation
import SharedSupport
import SharedData
import SharedEval
import SharedDetection

public enum TrainingValidation {
    /// The validation the command line asks for (nil without --val); `defaultEvery` when
    /// --val-every is not given (the config's checkpoint period).
    public static func make(_ options: ValidationOptions, defaultEvery: Int, outputDirectory: String, trainingCategoryIDs: [Int],
                            threads: Int) throws -> FitValidation? {
        guard let shards = options.shards, let groundTruth = options.groundTruth else { return nil }
        return try make(shards: shards, groundTruth: groundTruth, every: options.every ?? defaultEvery, bestMetric: options.bestMetric,
                        outputDirectory: outputDirectory, trainingCategoryIDs: trainingCategoryIDs, batchSize: 1, threads: threads)
    }

    /// The validation of a run on `trainingCategoryIDs` (class index -> category id); the
    /// shards must carry the same table. `bestMetric` is one of the logged stats (a mask one).
    public static func make(shards: String, groundTruth: String, every: Int, bestMetric: String, outputDirectory: String,
                            trainingCategoryIDs: [Int], batchSize: Int, threads: Int) throws -> FitValidation {
        let stats = ResultsTable.wideColumns  // AP, APr, APc, APf per IoU type
        precondition(stats.contains(bestMetric), "best metric is one of \(stats)")
        let dataset = try ShardDataset(directory: shards)
        guard dataset.categoryIDsByIndex == trainingCategoryIDs else {
            throw ToolError("the validation shards have another category table than the training shards", file: shards,
                            hint: "convert the validation split with the training split's categories (lvis-prep convert of the same dataset)",
                            exitCode: .usage)
        }
        let resultsPath = outputDirectory + "/val-detections.json"
        return FitValidation(every: every, bestMetric: "segm_" + bestMetric) { predictor in
            var bytes: [UInt8] = []
            let stream = try ResultsStream { bytes += $0 }
            let batches = EvaluationBatches(dataset: dataset, batchSize: batchSize, settings: LoaderSettings(config: predictor.config.input))
            try predictor.predict(batches, to: stream, progress: nil)
            try stream.close()
            try writeFileAtomically(resultsPath, bytes: bytes)
            let reports = stream.count == 0 ? []
                : try DetectionEvaluation(groundTruthPath: groundTruth, resultsPath: resultsPath, style: nil, iouTypes: [.bbox, .segm])
                    .run(parallelism: Parallelism(threads: threads), logger: nil)
            let model = ModelResults(name: "val", reports: reports)
            return [IoUType.bbox, .segm].flatMap { type in
                stats.map { stat in
                    // No detections at all: every AP is 0 (nothing found).
                    (name: "\(type.rawValue)_\(stat)", value: reports.isEmpty ? 0 : model.value(type, stat))
                }
            }
        }
    }
}
