// What the evaluation engine sees after loading: ground truths and detections as columns
// indexed by contiguous image and category indices (sorted ids), already filtered the way
// the chosen reference filters them, plus a source of IoU values per (image, category).

/// Ground truths and detections of one evaluation, as flat columns.
///
/// Images are `0..<imageCount` in ascending image-id order; categories `0..<categoryCount`
/// in ascending category-id order. Records keep their file order within each column.
public struct EvaluationSet: Sendable {
    public var imageCount: Int
    public var categoryCount: Int

    // Ground truths (G).
    public var groundTruthImage: [Int32] = []
    public var groundTruthCategory: [Int32] = []
    /// The `area` field from the file (used for area ranges in bbox and segm alike).
    public var groundTruthArea: [Double] = []
    /// Ignored for matching purposes: COCO `iscrowd`, LVIS `ignore`.
    public var groundTruthIgnore: [Bool] = []
    /// IoU against it divides by the detection's area (COCO crowd; never in LVIS).
    public var groundTruthCrowd: [Bool] = []
    /// The annotation id is 0: both references then record a match as "no match" (their
    /// match arrays hold ids and test them against 0). Reproduced, not endorsed.
    public var groundTruthIDIsZero: [Bool] = []

    // Detections (D), after the reference's filters (unknown categories, LVIS caps,
    // zero area, federated filter).
    public var detectionImage: [Int32] = []
    public var detectionCategory: [Int32] = []
    public var detectionScore: [Double] = []
    /// `w*h` for box results, the mask's pixel count for mask results (COCO/LVIS rule).
    public var detectionArea: [Double] = []
    /// LVIS: the category is in the image's `not_exhaustive_category_ids`.
    public var detectionNotExhaustive: [Bool] = []

    public init(imageCount: Int, categoryCount: Int) {
        self.imageCount = imageCount
        self.categoryCount = categoryCount
    }

    public var groundTruthCount: Int { groundTruthImage.count }
    public var detectionCount: Int { detectionImage.count }

    public mutating func appendGroundTruth(image: Int, category: Int, area: Double, ignore: Bool,
                                           crowd: Bool, idIsZero: Bool = false) {
        groundTruthImage.append(Int32(image))
        groundTruthCategory.append(Int32(category))
        groundTruthArea.append(area)
        groundTruthIgnore.append(ignore)
        groundTruthCrowd.append(crowd)
        groundTruthIDIsZero.append(idIsZero)
    }

    public mutating func reserveDetections(_ count: Int) {
        detectionImage.reserveCapacity(count)
        detectionCategory.reserveCapacity(count)
        detectionScore.reserveCapacity(count)
        detectionArea.reserveCapacity(count)
        detectionNotExhaustive.reserveCapacity(count)
    }

    public mutating func appendDetection(image: Int, category: Int, score: Double, area: Double,
                                         notExhaustive: Bool = false) {
        detectionImage.append(Int32(image))
        detectionCategory.append(Int32(category))
        detectionScore.append(score)
        detectionArea.append(area)
        detectionNotExhaustive.append(notExhaustive)
    }
}

/// Computes IoU between the detections and ground truths of one (image, category) cell.
public protocol OverlapSource: Sendable {
    /// Writes `iou[d * G + g]` for detection `detections[d]` against ground truth
    /// `groundTruths[g]` (indices into the `EvaluationSet` columns); `crowd[g]` selects the
    /// crowd rule. Throws for data that cannot be compared (mask sizes that differ).
    func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                  crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws
}
