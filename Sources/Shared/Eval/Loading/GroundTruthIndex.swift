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
    let imageIndexByID: [Int: Int32]
    let categoryIndexByID: [Int: Int32]
    /// Per image index: (height, width).
    public let imageSizes: [(height: Int, width: Int)]
    /// Per image index: LVIS `neg_category_ids` as category indices (unknown ids left out).
    let negativeCategories: [Set<Int32>]
    /// Per image index: LVIS `not_exhaustive_category_ids` as category indices.
    let notExhaustiveCategories: [Set<Int32>]

    public init(_ dataset: Dataset) {
        var byImage: [Int: ImageInfo] = [:]
        for image in dataset.images where byImage[image.id.rawValue] == nil { byImage[image.id.rawValue] = image }
        let images = byImage.values.sorted { $0.id < $1.id }
        imageIDs = images.map(\.id)
        var imageIndex: [Int: Int32] = [:]
        for (index, image) in images.enumerated() { imageIndex[image.id.rawValue] = Int32(index) }
        imageIndexByID = imageIndex
        imageSizes = images.map { ($0.height, $0.width) }

        var byCategory: [Int: CategoryInfo] = [:]
        for category in dataset.categories where byCategory[category.id.rawValue] == nil {
            byCategory[category.id.rawValue] = category
        }
        categories = byCategory.values.sorted { $0.id < $1.id }
        categoryIDs = categories.map(\.id)
        var categoryIndex: [Int: Int32] = [:]
        for (index, category) in categories.enumerated() { categoryIndex[category.id.rawValue] = Int32(index) }
        categoryIndexByID = categoryIndex

        func indices(_ ids: [CategoryID]?) -> Set<Int32> {
            Set((ids ?? []).compactMap { categoryIndex[$0.rawValue] })
        }
        negativeCategories = images.map { indices($0.negativeCategoryIDs) }
        notExhaustiveCategories = images.map { indices($0.notExhaustiveCategoryIDs) }
    }

    public var imageCount: Int { imageIDs.count }
    public var categoryCount: Int { categoryIDs.count }

    public func imageIndex(of id: ImageID) -> Int? { imageIndexByID[id.rawValue].map(Int.init) }
    public func categoryIndex(of id: CategoryID) -> Int? { categoryIndexByID[id.rawValue].map(Int.init) }

    /// Frequency group per category index (nil in COCO files).
    public var frequencies: [FrequencyGroup?] { categories.map(\.frequency) }

    /// "ids 1..581921 (5000 images)" for error messages.
    var imageIDRange: String {
        guard let first = imageIDs.first, let last = imageIDs.last else { return "no images" }
        return "ids \(first)...\(last) (\(imageIDs.count) images)"
    }
}
