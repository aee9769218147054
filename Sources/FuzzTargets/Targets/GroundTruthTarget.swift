// Target "dataset": a COCO / LVIS ground-truth file as detect-eval and lvis-prep convert
// read it: `Dataset.load(path:)` (mmap, one pass), then the evaluator's index and the
// convert plan (image and annotation checks, per-image grouping) built from it.
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
                // Every image is planned, or refused with one recorded problem of an image kind.
                let refused = [ProblemKind.badImageSize, .imageTooLarge, .unsafeFileName].reduce(0) { $0 + plan.problems.counts[$1.rawValue, default: 0] }
                guard index.imageCount == dataset.images.count, plan.images.count + refused == dataset.images.count else {
                    return .finding("\(dataset.images.count) images loaded, \(index.imageCount) indexed, \(plan.images.count) planned "
                                    + "+ \(refused) refused (ids are unique)")
                }
                return .accepted
            }
        }
    }
}
