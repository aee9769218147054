// Per-image diagnostics (`detect-eval --diagnostics N`) with hotcoco's
// `COCOeval.image_diagnostics` counts (crates/hotcoco/src/eval/diagnostics.rs, hotcoco 1.3),
// read from the evaluation's own matching at one IoU threshold (area range "all", the largest
// cap): per image, true positives (detections matched to a non-ignored ground truth), false
// positives (detections neither matched nor ignored) and false negatives (non-ignored ground
// truths no detection matched), F1 = 2tp / (2tp + fp + fn) (1 when all are 0), hotcoco's
// per-image AP and error profile. An image is listed when it has at least one (image,
// category) cell. An optional score threshold counts only detections scoring at least it
// (then a ground truth matched only by lower-scoring detections is missed); without it, every
// detection counts, as in hotcoco. The worst images: most missed ground truths (ties: more
// false positives, then smaller image id), most false positives (ties: more missed, smaller id).
import SharedData

/// hotcoco's ErrorProfile.
public enum ImageErrorProfile: String, Sendable {
    case perfect, fpHeavy = "fp_heavy", fnHeavy = "fn_heavy", mixed
}

/// One image's counts.
public struct ImageCounts: Sendable, Equatable {
    /// Image index (sorted ids).
    public var image: Int
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var f1 = 1.0
    public var ap = 0.0

    public var profile: ImageErrorProfile {
        switch (falsePositives, falseNegatives) {
        case (0, 0): return .perfect
        case let (fp, fn) where fp > 2 * fn: return .fpHeavy
        case let (fp, fn) where fn > 2 * fp: return .fnHeavy
        default: return .mixed
        }
    }
}

/// The diagnostics of one evaluation.
public struct ImageDiagnostics: Sendable {
    public var iouThreshold: Double
    public var scoreThreshold: Double?
    /// Every image with a cell, ascending image index.
    public var images: [ImageCounts]
    /// The `limit` worst by missed ground truths / by false positives (only images with any).
    public var worstMissed: [ImageCounts]
    public var worstFalse: [ImageCounts]
    /// Per image index: its id and its file name (`file_name`, else the last part of
    /// `coco_url` as in LVIS v1; nil when neither), for the report.
    public var imageIDs: [Int] = []
    public var fileNames: [String?] = []

    public var truePositives: Int { images.reduce(0) { $0 + $1.truePositives } }
    public var falsePositives: Int { images.reduce(0) { $0 + $1.falsePositives } }
    public var falseNegatives: Int { images.reduce(0) { $0 + $1.falseNegatives } }

    /// `iouThreshold` snaps to the nearest evaluation threshold (hotcoco's rule).
    public static func compute(_ records: MatchRecords, limit: Int, iouThreshold: Double = 0.5,
                               scoreThreshold: Double? = nil) -> ImageDiagnostics {
        precondition(limit >= 0, "a negative number of images")
        let thresholds = records.parameters.iouThresholds
        let t = thresholds.indices.min { abs(thresholds[$0] - iouThreshold) < abs(thresholds[$1] - iouThreshold) }!
        var present = [Bool](repeating: false, count: records.imageCount)
        var positives = [Int](repeating: 0, count: records.imageCount)
        // Each image's counted detections in hotcoco's order: categories ascending, each cell by score.
        var ranked = [[(score: Double, truePositive: Bool)]](repeating: [], count: records.imageCount)
        for k in 0..<records.categoryCount {
            records.forEachCell(category: k) { image, count in
                present[Int(image)] = true
                positives[Int(image)] += count
            }
            records.forEachOutcome(category: k, iouIndex: t) { outcome in
                guard !outcome.ignored, scoreThreshold.map({ outcome.score >= $0 }) ?? true else { return }
                ranked[Int(outcome.image)].append((outcome.score, outcome.matched))
            }
        }
        var images: [ImageCounts] = []
        for i in 0..<records.imageCount where present[i] {
            var counts = ImageCounts(image: i)
            counts.truePositives = ranked[i].reduce(0) { $0 + ($1.truePositive ? 1 : 0) }
            counts.falsePositives = ranked[i].count - counts.truePositives
            counts.falseNegatives = positives[i] - counts.truePositives
            let denominator = 2 * counts.truePositives + counts.falsePositives + counts.falseNegatives
            counts.f1 = denominator == 0 ? 1 : Double(2 * counts.truePositives) / Double(denominator)
            // Stable: equal scores keep category order, then cell order (Rust's stable sort_by).
            let sorted = stableSortedByScore(ranked[i])
            counts.ap = ImageAP.compute(sorted, positives: positives[i])
            images.append(counts)
        }
        let worstMissed = images.filter { $0.falseNegatives > 0 }.sorted {
            ($0.falseNegatives, $0.falsePositives, -$0.image) > ($1.falseNegatives, $1.falsePositives, -$1.image)
        }
        let worstFalse = images.filter { $0.falsePositives > 0 }.sorted {
            ($0.falsePositives, $0.falseNegatives, -$0.image) > ($1.falsePositives, $1.falseNegatives, -$1.image)
        }
        return ImageDiagnostics(iouThreshold: thresholds[t], scoreThreshold: scoreThreshold, images: images,
                                worstMissed: Array(worstMissed.prefix(limit)), worstFalse: Array(worstFalse.prefix(limit)))
    }

    static func stableSortedByScore(_ entries: [(score: Double, truePositive: Bool)]) -> [(score: Double, truePositive: Bool)] {
        entries.indices.sorted { a, b in
            entries[a].score > entries[b].score || (entries[a].score == entries[b].score && a < b)
        }.map { entries[$0] }
    }

    /// Per image id (sorted): `file_name`, else the last path component of `coco_url`.
    static func fileNames(_ dataset: Dataset, imageIDs: [ImageID]) -> [String?] {
        var byID: [Int: String] = [:]
        for image in dataset.images where byID[image.id.rawValue] == nil {
            if let name = image.fileName ?? image.cocoURL.flatMap({ $0.split(separator: "/").last.map(String.init) }) {
                byID[image.id.rawValue] = name
            }
        }
        return imageIDs.map { byID[$0.rawValue] }
    }
}
