// Target "dataset": a COCO / LVIS ground-truth file as detect-eval and lvis-prep convert
// read it: `Dataset.load(path:)` (mmap, one pass), then the evaluator's index and the
// convert plan (annotation checks, per-image grouping) built from it.
import SharedData
import SharedEval

extension FuzzTarget {
    /// "dataset": the bytes as a ground-truth json file.
    static func groundTruth() -> FuzzTarget {
        let file = ScratchFile(label: "dataset")
        return FuzzTarget(name: "dataset", summary: "Dataset.load(path:), GroundTruthIndex, PrepPlan (detect-eval --gt, lvis-prep convert)",
                          maxLength: 8192) { bytes in
            file.write(bytes)
            return Refusal.outcome(file: file.path) {
                let dataset = try Dataset.load(path: file.path, use: .conversion)
                let index = GroundTruthIndex(dataset)
                let plan = PrepPlan(dataset: dataset, annotationsPath: file.path)
                guard index.imageCount == dataset.images.count, plan.images.count == dataset.images.count else {
                    return .finding("\(dataset.images.count) images loaded, \(index.imageCount) indexed, \(plan.images.count) planned (ids are unique)")
                }
                return .accepted
            }
        }
    }
}
