// Boundary IoU evaluation (`--iou-type boundary`): boundary-iou-api's COCOeval and LVISEval
// (bowenc0221/boundary-iou-api, iouType / iou_type "boundary"). Their IoU is
// min(mask IoU, boundary IoU) (`BoundaryOverlapSource`), and their evaluators are modified
// copies of pycocotools and the LVIS API that differ from them in three rules, reproduced for
// boundary evaluation only (docs/evaluation.md §Boundary IoU):
// - the ground truth's `ignore` field is honoured in COCO style too (ignore = ignore or iscrowd;
//   pycocotools overwrites it with iscrowd);
// - LVIS style honours `iscrowd` (ignored, matched any number of times, IoU = intersection /
//   detection area against it; the LVIS API has no crowd);
// - LVIS style's area ranges are half-open, [lower, upper): an area of exactly 1024 is medium,
//   not small and medium (the LVIS API compares `area > upper`, the boundary version `>=`).
import SharedData

extension EvaluationParameters {
    /// The parameters boundary-iou-api evaluates with: LVIS style's area ranges half-open.
    public func boundaryRules() -> EvaluationParameters {
        guard style == .lvis else { return self }
        var parameters = self
        parameters.areaRanges = areaRanges.map {
            AreaRange(label: $0.label, lower: $0.lower, upper: $0.upper, includesUpper: false)
        }
        return parameters
    }
}

extension BuiltEvaluation {
    /// The same evaluation with boundary-iou-api's ground-truth flags: ignored when `ignore` or
    /// `iscrowd`, crowd when `iscrowd`, in both styles.
    public func withBoundaryRules(dataset: Dataset) -> BuiltEvaluation {
        var built = self
        for (g, row) in groundTruthSource.enumerated() {
            let annotation = dataset.annotations[Int(row)]
            built.set.groundTruthIgnore[g] = annotation.ignore || annotation.isCrowd
            built.set.groundTruthCrowd[g] = annotation.isCrowd
        }
        return built
    }
}
