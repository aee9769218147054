// `detect-eval --confusion FILE.csv`: the class confusion matrix of mmdetection's
// tools/analysis_tools/confusion_matrix.py (`calculate_confusion_matrix`,
// `analyze_per_img_dets`, no extra NMS), and LOCE's view of it: for each rare and common class,
// which frequent classes take its detections.
//
// Legend: C classes (ascending category id), row = ground-truth class, column = detected
// class, index C = background. Per image, every ground truth (crowd included, as the script
// reads them) against every detection with score >= scoreThreshold (both as float32):
//   IoU >= iouThreshold with ground truth j: M[label_j, det] += 1 (one count per such j), and
//   a true positive of j when the classes agree; no such j: M[C, det] += 1 (background);
//   afterwards every ground truth without a true positive: M[label_j, C] += 1 (missed).
// IoU is mmdetection's `bbox_overlaps` in float32 on [x, y, x + w, y + h] boxes (no +1, union
// floored at 1e-6). The counts are integers, so the order of images and detections is free.
import Foundation
import SharedSupport
import SharedData

public struct ConfusionMatrix: Sendable, Equatable {
    public var categories: [CategoryInfo]
    /// (C + 1) x (C + 1), row-major.
    public var counts: [Int]
    public var scoreThreshold: Double
    public var iouThreshold: Double

    public var size: Int { categories.count + 1 }
    public subscript(groundTruth row: Int, detected column: Int) -> Int { counts[row * size + column] }

    /// The matrix of `results` against `dataset`: a result on an image the ground truth lacks is
    /// an error naming the record (as in evaluation); results of categories it lacks are left out
    /// (the evaluation's filters drop them too; mmdetection's model has no such class).
    public static func compute(dataset: Dataset, results: [DetectionResult], resultsPath: String, scoreThreshold: Double = 0.3,
                               iouThreshold: Double = 0.5) throws -> ConfusionMatrix {
        try compute(dataset: dataset, results: AnalysisResults(results), resultsPath: resultsPath, scoreThreshold: scoreThreshold,
                    iouThreshold: iouThreshold)
    }

    /// The same on results already loaded (the evaluation's columns: no second parse).
    public static func compute(dataset: Dataset, results: AnalysisResults, resultsPath: String, scoreThreshold: Double = 0.3,
                               iouThreshold: Double = 0.5) throws -> ConfusionMatrix {
        let categories = dataset.categories.sorted { $0.id.rawValue < $1.id.rawValue }
        let classOf = Dictionary(categories.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let imageIndex = Dictionary(dataset.images.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var truths = [[(box: SIMD4<Float>, label: Int)]](repeating: [], count: dataset.images.count)
        for annotation in dataset.annotations {
            guard let image = imageIndex[annotation.imageID], let label = classOf[annotation.categoryID] else { continue }
            truths[image].append((corners(annotation.bbox), label))
        }
        var detections = [[(box: SIMD4<Float>, label: Int)]](repeating: [], count: dataset.images.count)
        let threshold = Float(scoreThreshold)
        // Ids resolved once per distinct id, then per row by its slot.
        let imageOfSlot = results.imageIDOfSlot.map { imageIndex[$0] }
        let labelOfSlot = results.categoryIDOfSlot.map { classOf[$0] }
        for row in results.rows {
            guard let image = imageOfSlot[Int(results.imageSlot[row])] else {
                throw ToolError("image_id \(results.imageID(row).rawValue) is not in the ground truth", file: resultsPath, record: "results[\(row)]")
            }
            guard let label = labelOfSlot[Int(results.categorySlot[row])] else { continue }
            guard let bbox = results.bbox(row) else {
                throw ToolError("the result has no bbox", file: resultsPath, record: "results[\(row)]",
                                hint: "the confusion matrix compares boxes")
            }
            if Float(results.score[row]) >= threshold { detections[image].append((corners(bbox), label)) }
        }
        let c = categories.count, size = c + 1
        var counts = [Int](repeating: 0, count: size * size)
        let iou = Float(iouThreshold)
        for image in dataset.images.indices {
            let gts = truths[image]
            var truePositives = [Int](repeating: 0, count: gts.count)
            for detection in detections[image] {
                var matches = 0
                for (j, gt) in gts.enumerated() where overlap(detection.box, gt.box) >= iou {
                    matches += 1
                    if gt.label == detection.label { truePositives[j] += 1 }
                    counts[gt.label * size + detection.label] += 1
                }
                if matches == 0 { counts[c * size + detection.label] += 1 }
            }
            for (j, gt) in gts.enumerated() where truePositives[j] == 0 { counts[gt.label * size + c] += 1 }
        }
        return ConfusionMatrix(categories: categories, counts: counts, scoreThreshold: scoreThreshold, iouThreshold: iouThreshold)
    }

    /// [x1, y1, x2, y2] in float32, from a box in doubles (as mmdetection's dataset then bbox_overlaps).
    static func corners(_ box: BoxXYWH) -> SIMD4<Float> {
        SIMD4(Float(box.x), Float(box.y), Float(box.x + box.width), Float(box.y + box.height))
    }

    /// mmdetection's `bbox_overlaps` (mode iou, no legacy +1) of two boxes, float32.
    static func overlap(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> Float {
        let areaA = (a[2] - a[0]) * (a[3] - a[1]), areaB = (b[2] - b[0]) * (b[3] - b[1])
        let width = max(min(a[2], b[2]) - max(a[0], b[0]), 0), height = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
        let intersection = width * height
        return intersection / max(areaA + areaB - intersection, 1e-6)
    }

    /// The matrix as CSV: a header of the detected classes' names then "background", one row per
    /// ground-truth class then "background", counts.
    public func csv() -> String {
        let names = categories.map(\.name) + ["background"]
        var text = "ground_truth\\detected," + names.map(Self.csvField).joined(separator: ",") + "\n"
        for row in 0..<size {
            text += Self.csvField(names[row]) + "," + (0..<size).map { String(counts[row * size + $0]) }.joined(separator: ",") + "\n"
        }
        return text
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One rare or common class's detections taken by frequent classes.
    public struct TailConfusion: Sendable, Equatable {
        public var category: CategoryInfo
        /// Its row's counts in all (matches with any class, and misses).
        public var rowTotal: Int
        /// Frequent classes whose detections covered its ground truths, most counts first (ties by id).
        public var takenBy: [(category: CategoryInfo, count: Int)]

        public static func == (a: TailConfusion, b: TailConfusion) -> Bool {
            a.category == b.category && a.rowTotal == b.rowTotal
                && a.takenBy.map { [$0.category.id.rawValue, $0.count] } == b.takenBy.map { [$0.category.id.rawValue, $0.count] }
        }
    }

    /// For each rare and common class with confusions into frequent classes: the `limit` frequent
    /// classes with the most counts in its row, classes by id.
    public func tailConfusions(limit: Int = 3) -> [TailConfusion] {
        let frequent = categories.indices.filter { categories[$0].frequency == .frequent }
        return categories.indices.compactMap { row in
            guard let group = categories[row].frequency, group != .frequent else { return nil }
            let taken = frequent.map { (category: categories[$0], count: counts[row * size + $0]) }
                .filter { $0.count > 0 }
                .sorted { ($0.count, -$0.category.id.rawValue) > ($1.count, -$1.category.id.rawValue) }
            guard !taken.isEmpty else { return nil }
            let truths = categories.indices.reduce(0) { $0 + counts[row * size + $1] } + counts[row * size + categories.count]
            return TailConfusion(category: categories[row], rowTotal: truths, takenBy: Array(taken.prefix(limit)))
        }
    }
}

extension ConfusionMatrix {
    /// The long-tail view as text lines (after the summary).
    public func tailSummary(limit: Int = 3) -> String {
        let tail = tailConfusions(limit: limit)
        var text = "Long-tail confusions (score >= \(scoreThreshold), IoU >= \(iouThreshold)): rare and common classes whose "
            + "ground truths frequent classes' detections covered\n"
        if tail.isEmpty { return text + "  none\n" }
        for entry in tail {
            let taken = entry.takenBy.map { "\($0.category.name) (\($0.category.id.rawValue)) \($0.count)" }.joined(separator: ", ")
            text += "  \(entry.category.frequency?.rawValue ?? "-") \(entry.category.name) (\(entry.category.id.rawValue)), "
                + "row \(entry.rowTotal): \(taken)\n"
        }
        return text
    }

    /// The "confusion" object of the --json document: thresholds, the CSV's path and the long-tail view.
    public func jsonObject(csvPath: String, limit: Int = 3) -> String {
        let tail = tailConfusions(limit: limit).map { entry in
            "{\"id\": \(entry.category.id.rawValue), \"frequency\": \(JSONWriter.quoted(entry.category.frequency?.rawValue ?? "")), "
                + "\"row_total\": \(entry.rowTotal), \"taken_by\": ["
                + entry.takenBy.map { "{\"id\": \($0.category.id.rawValue), \"count\": \($0.count)}" }.joined(separator: ", ") + "]}"
        }
        return "{\"csv\": \(JSONWriter.quoted(csvPath)), \"score_threshold\": \(scoreThreshold), \"iou_threshold\": \(iouThreshold), "
            + "\"long_tail\": [" + tail.joined(separator: ", ") + "]}"
    }
}
