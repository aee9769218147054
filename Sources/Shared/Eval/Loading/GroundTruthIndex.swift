// The ground truth as the evaluators index it: image and category ids mapped to contiguous
// indices (sorted ids, as both references sort them), image sizes and federated fields.
import SharedData

/// Lookup tables built once from a `Dataset`.
public struct GroundTruthIndex: Sendable {
    /// Sorted unique image ids; position = image index.
    public let imageIDs: [ImageID]
    /// Sorted category ids; position = category index.
    public let categoryIDs: [CategoryID]
    public let categories: [CategoryInfo]
    let imageIndexByID: IDLookup
    let categoryIndexByID: IDLookup
    /// Per image index: (height, width).
    public let imageSizes: [(height: Int, width: Int)]
    /// Per image index: LVIS `neg_category_ids` as sorted category indices (unknown ids left out).
    let negativeCategories: [[Int32]]
    /// Per image index: LVIS `not_exhaustive_category_ids` as sorted category indices.
    let notExhaustiveCategories: [[Int32]]

    public init(_ dataset: Dataset) {
        var byImage: [Int: ImageInfo] = [:]
        for image in dataset.images where byImage[image.id.rawValue] == nil { byImage[image.id.rawValue] = image }
        let images = byImage.values.sorted { $0.id < $1.id }
        imageIDs = images.map(\.id)
        var imageIndex: [Int: Int32] = [:]
        for (index, image) in images.enumerated() { imageIndex[image.id.rawValue] = Int32(index) }
        imageIndexByID = IDLookup(imageIndex)
        imageSizes = images.map { ($0.height, $0.width) }

        var byCategory: [Int: CategoryInfo] = [:]
        for category in dataset.categories where byCategory[category.id.rawValue] == nil {
            byCategory[category.id.rawValue] = category
        }
        categories = byCategory.values.sorted { $0.id < $1.id }
        categoryIDs = categories.map(\.id)
        var categoryIndex: [Int: Int32] = [:]
        for (index, category) in categories.enumerated() { categoryIndex[category.id.rawValue] = Int32(index) }
        categoryIndexByID = IDLookup(categoryIndex)

        func indices(_ ids: [CategoryID]?) -> [Int32] {
            Array(Set((ids ?? []).compactMap { categoryIndex[$0.rawValue] })).sorted()
        }
        negativeCategories = images.map { indices($0.negativeCategoryIDs) }
        notExhaustiveCategories = images.map { indices($0.notExhaustiveCategoryIDs) }
    }

    public var imageCount: Int { imageIDs.count }
    public var categoryCount: Int { categoryIDs.count }

    @inline(__always) public func imageIndex(of id: ImageID) -> Int? { imageIndexByID[id.rawValue] }
    @inline(__always) public func categoryIndex(of id: CategoryID) -> Int? { categoryIndexByID[id.rawValue] }

    /// Frequency group per category index (nil in COCO files).
    public var frequencies: [FrequencyGroup?] { categories.map(\.frequency) }

    /// "ids 1..581921 (5000 images)" for error messages.
    var imageIDRange: String {
        guard let first = imageIDs.first, let last = imageIDs.last else { return "no images" }
        return "ids \(first)...\(last) (\(imageIDs.count) images)"
    }
}

/// Id -> index: a flat table when the ids are dense enough (COCO/LVIS ids are), else a hash map.
struct IDLookup: Sendable {
    private let table: [Int32]
    private let map: [Int: Int32]

    init(_ map: [Int: Int32]) {
        let maxID = map.keys.max() ?? -1
        if let minID = map.keys.min(), minID >= 0, maxID < 4 * map.count + 4096 {
            var table = [Int32](repeating: -1, count: maxID + 1)
            for (id, index) in map { table[id] = index }
            self.table = table
            self.map = [:]
        } else {
            table = []
            self.map = map
        }
    }

    @inline(__always) subscript(id: Int) -> Int? {
        if !table.isEmpty {
            guard id >= 0 && id < table.count else { return nil }
            let index = table[id]
            return index >= 0 ? Int(index) : nil
        }
        return map[id].map(Int.init)
    }
}

/// True when the sorted `values` contain `value` (small lists: a linear scan).
@inline(__always)
func sortedContains(_ values: [Int32], _ value: Int32) -> Bool {
    for v in values {
        if v == value { return true }
        if v > value { return false }
    }
    return false
}
