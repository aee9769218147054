// Target "results": a results file as `detect-eval` reads it, evaluated end to end (boxes
// and masks) against two small fixed ground truths, one COCO and one LVIS: the streaming
// reader, ResultColumns (ids, mask sizes, runs covering the image), polygon and RLE masks,
// the federated filters, matching and the summaries.
import SharedEval

extension FuzzTarget {
    /// "results": the bytes as a results json file.
    static func detectionResults() -> FuzzTarget {
        let results = ScratchFile(label: "results")
        let groundTruths = [EvaluationGroundTruth.coco, EvaluationGroundTruth.lvis].map { text -> ScratchFile in
            let file = ScratchFile(label: "results-gt")
            text.utf8CString.dropLast().withUnsafeBytes { file.write($0) }
            return file
        }
        return FuzzTarget(name: "results", summary: "DetectionEvaluation.run: results file against a COCO and an LVIS ground truth, bbox and segm",
                          maxLength: 8192) { bytes in
            results.write(bytes)
            var outcome = FuzzOutcome.accepted
            for groundTruth in groundTruths {
                let evaluation = DetectionEvaluation(groundTruthPath: groundTruth.path, resultsPath: results.path,
                                                     style: nil, iouTypes: [.bbox, .segm])
                outcome = Refusal.outcome(file: results.path) {
                    let reports = try evaluation.run(parallelism: .serial)
                    return reports.count == 2 ? .accepted : .finding("\(reports.count) reports for 2 IoU types")
                }
                if case .accepted = outcome { continue }
                return outcome
            }
            return outcome
        }
    }
}

/// The ground truths results are evaluated against: 3 images (6x4, 12x16, 1x1), 2 categories,
/// polygon, uncompressed-RLE and crowd annotations. The LVIS one adds the federated fields.
enum EvaluationGroundTruth {
    static let coco = """
        {"images": [{"id": 1, "width": 6, "height": 4, "file_name": "a.jpg"},
                    {"id": 2, "width": 12, "height": 16, "file_name": "b.jpg"},
                    {"id": 3, "width": 1, "height": 1, "file_name": "c.jpg"}],
         "annotations": [
          {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 2], "area": 6, "iscrowd": 0, "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]]},
          {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 12, 16], "area": 20, "iscrowd": 1, "segmentation": {"size": [16, 12], "counts": [10, 20, 162]}},
          {"id": 3, "image_id": 2, "category_id": 1, "bbox": [2, 3, 5, 5], "area": 25, "iscrowd": 0, "segmentation": [[2, 3, 7, 3, 7, 8, 2, 8]]},
          {"id": 4, "image_id": 3, "category_id": 2, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0, "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1]]}],
         "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]}
        """

    static let lvis = """
        {"images": [{"id": 1, "width": 6, "height": 4, "coco_url": "http://x/val2017/a.jpg", "neg_category_ids": [2], "not_exhaustive_category_ids": []},
                    {"id": 2, "width": 12, "height": 16, "coco_url": "http://x/val2017/b.jpg", "neg_category_ids": [], "not_exhaustive_category_ids": [1]},
                    {"id": 3, "width": 1, "height": 1, "coco_url": "http://x/val2017/c.jpg", "neg_category_ids": [], "not_exhaustive_category_ids": []}],
         "annotations": [
          {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 2], "area": 6, "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]]},
          {"id": 3, "image_id": 2, "category_id": 1, "bbox": [2, 3, 5, 5], "area": 25, "segmentation": [[2, 3, 7, 3, 7, 8, 2, 8]]},
          {"id": 4, "image_id": 3, "category_id": 2, "bbox": [0, 0, 1, 1], "area": 1, "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1]]}],
         "categories": [{"id": 1, "name": "cat", "frequency": "r", "image_count": 2, "instance_count": 2},
                        {"id": 2, "name": "dog", "frequency": "f", "image_count": 1, "instance_count": 1}]}
        """
}
