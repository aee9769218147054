// What the loading rules removed, counted per rule. Records dropped for an id the ground
// truth does not know (detections of unknown categories, annotations of unknown images or
// categories) also keep the offending ids and the first rows, so the warnings can name them.

/// Records one rule dropped: how many, how many per offending id, and the first few rows.
public struct DroppedRecords: Sendable, Equatable {
    public private(set) var count = 0
    /// Number of records per offending id.
    public private(set) var countByID: [Int: Int] = [:]
    /// The first `rowsKept` rows dropped, in file order.
    public private(set) var firstRows: [Int] = []
    public static let rowsKept = 5

    public init() {}

    /// Counts record `row`, dropped for `id`. Call in file order.
    public mutating func add(row: Int, id: Int) {
        count += 1
        countByID[id, default: 0] += 1
        if firstRows.count < Self.rowsKept { firstRows.append(row) }
    }

    /// The offending ids, sorted.
    public var ids: [Int] { countByID.keys.sorted() }

    /// "91 (30 detections), 0 (7 detections)": ids with their counts of `noun`, most frequent
    /// first (ties: smaller id first), at most `limit` of them, then how many more.
    public func idSummary(noun: String, limit: Int = 10) -> String {
        let byCount = countByID.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        var text = byCount.prefix(limit).map { "\($0.key) (\($0.value) \(noun)\($0.value == 1 ? "" : "s"))" }.joined(separator: ", ")
        let more = byCount.count - limit
        if more > 0 { text += " and \(more) more id\(more == 1 ? "" : "s")" }
        return text
    }

    /// "results[3], results[8], ...": the first rows, named with `collection`.
    public func rowSummary(collection: String) -> String {
        let rows = firstRows.map { "\(collection)[\($0)]" }.joined(separator: ", ")
        return count > firstRows.count ? rows + ", ..." : rows
    }
}

/// What the loading rules removed: detections (unknown category; LVIS: over the 300 per
/// image cap or the Fixed AP per-category cap, zero area, federated filter) and ground truth (LVIS: zero area; unknown image
/// or category, which both references ignore too).
public struct FilterCounts: Sendable, Equatable {
    /// Detections whose category id is not one of the ground truth's categories.
    public var unknownCategoryDetections = DroppedRecords()
    public var overImageCap = 0
    /// The per-image cap applied (LVIS: 300, or `--max-dets`).
    public var imageCap = 300
    /// Fixed AP: detections past the K best of their category over the file.
    public var overCategoryCap = 0
    /// Fixed AP: K (nil when off).
    public var categoryCap: Int?
    public var zeroArea = 0
    public var federated = 0
    public var zeroAreaGroundTruth = 0
    /// Annotations whose image id is not one of the ground truth's images.
    public var groundTruthUnknownImage = DroppedRecords()
    /// Annotations of a known image whose category id is not one of the ground truth's categories.
    public var groundTruthUnknownCategory = DroppedRecords()

    public init() {}

    /// Detections of unknown categories.
    public var unknownCategory: Int { unknownCategoryDetections.count }

    /// Every detection a rule removed.
    public var droppedDetections: Int { unknownCategory + overImageCap + overCategoryCap + zeroArea + federated }

    /// Annotations ignored for an unknown image or category.
    public var ignoredGroundTruth: Int { groundTruthUnknownImage.count + groundTruthUnknownCategory.count }
}
