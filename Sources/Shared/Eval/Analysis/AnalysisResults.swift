// The results as the analyses on the files (--tide, --confusion) read them: per results-file
// row the image id, the category id, the score, the row's own `bbox` and `segmentation`.
// Made from parsed records, or without a second parse from the columns the evaluation loaded
// (`EvaluationInputs`); the columns' arrays are shared, not copied. A cut (`restricted`) keeps
// the file's row numbers, so errors still name the record of the file.
import SharedData
import SharedMasks
import SharedSupport

public struct AnalysisResults: Sendable {
    /// Per row: a slot of `imageIDOfSlot` / `categoryIDOfSlot` (ids resolved once per slot).
    let imageSlot: [Int32]
    let imageIDOfSlot: [ImageID]
    let categorySlot: [Int32]
    let categoryIDOfSlot: [CategoryID]
    public let score: [Double]
    /// The row's own `bbox` field (`hasBox` false: the file gave none).
    let box: [BoxXYWH]
    let hasBox: [Bool]
    let masks: Masks
    /// The file rows this value holds, in file order; nil = every row.
    let selected: [Int]?

    enum Masks: Sendable {
        case segmentations([Segmentation?])
        /// The evaluation's columns: every mask compressed, at its image's size.
        case columns(ResultColumns)
    }

    /// The rows in file order (file row numbers).
    public var rows: [Int] { selected ?? Array(score.indices) }

    public func imageID(_ row: Int) -> ImageID { imageIDOfSlot[Int(imageSlot[row])] }
    public func categoryID(_ row: Int) -> CategoryID { categoryIDOfSlot[Int(categorySlot[row])] }
    /// The `bbox` field of the row, nil when the file gave none.
    public func bbox(_ row: Int) -> BoxXYWH? { hasBox[row] ? box[row] : nil }

    public func hasSegmentation(_ row: Int) -> Bool {
        switch masks {
        case .segmentations(let segmentations): return segmentations[row] != nil
        case .columns(let columns): return columns.hasMask[row]
        }
    }

    /// The row's mask on an image of height x width (precondition: `hasSegmentation(row)`).
    /// Throws the mask API's error for a segmentation that cannot be decoded.
    public func mask(_ row: Int, height: Int, width: Int) throws -> RLE {
        switch masks {
        case .segmentations(let segmentations): return try RLE(segmentation: segmentations[row]!, height: height, width: width)
        case .columns(let columns): return columns.mask(row, height: height, width: width)
        }
    }

    /// Parsed records, rows in array order.
    public init(_ records: [DetectionResult]) {
        var imageSlots: [Int: Int32] = [:], categorySlots: [Int: Int32] = [:]
        var imageIDs: [ImageID] = [], categoryIDs: [CategoryID] = []
        imageSlot = records.map { record in
            imageSlots[record.imageID.rawValue] ?? {
                imageIDs.append(record.imageID)
                imageSlots[record.imageID.rawValue] = Int32(imageIDs.count - 1)
                return Int32(imageIDs.count - 1)
            }()
        }
        categorySlot = records.map { record in
            categorySlots[record.categoryID.rawValue] ?? {
                categoryIDs.append(record.categoryID)
                categorySlots[record.categoryID.rawValue] = Int32(categoryIDs.count - 1)
                return Int32(categoryIDs.count - 1)
            }()
        }
        imageIDOfSlot = imageIDs
        categoryIDOfSlot = categoryIDs
        score = records.map(\.score)
        box = records.map { $0.bbox ?? BoxXYWH(x: 0, y: 0, width: 0, height: 0) }
        hasBox = records.map { $0.bbox != nil }
        masks = .segmentations(records.map(\.segmentation))
        selected = nil
    }

    /// The columns an evaluation loaded (resolved against `index`): no parse, arrays shared.
    public init(columns: ResultColumns, index: GroundTruthIndex) {
        imageSlot = columns.imageIndex
        imageIDOfSlot = index.imageIDs
        // Known categories are their index; unknown ones (-1 - k) follow them.
        let known = Int32(index.categoryCount)
        categorySlot = columns.categoryIndex.map { $0 >= 0 ? $0 : known + (-1 - $0) }
        categoryIDOfSlot = index.categoryIDs + columns.unknownCategoryIDs.map { CategoryID($0) }
        score = columns.score
        box = columns.box
        hasBox = columns.hasBox
        masks = .columns(columns)
        selected = nil
    }

    private init(_ base: AnalysisResults, selected: [Int]) {
        imageSlot = base.imageSlot
        imageIDOfSlot = base.imageIDOfSlot
        categorySlot = base.categorySlot
        categoryIDOfSlot = base.categoryIDOfSlot
        score = base.score
        box = base.box
        hasBox = base.hasBox
        masks = base.masks
        self.selected = selected
    }

    /// The rows on `images` and of `categories` (raw ids; nil = all), file order kept.
    public func restricted(images: Set<Int>?, categories: Set<Int>?) -> AnalysisResults {
        guard images != nil || categories != nil else { return self }
        let keepImageSlot = imageIDOfSlot.map { images?.contains($0.rawValue) ?? true }
        let keepCategorySlot = categoryIDOfSlot.map { categories?.contains($0.rawValue) ?? true }
        return AnalysisResults(self, selected: rows.filter { keepImageSlot[Int(imageSlot[$0])] && keepCategorySlot[Int(categorySlot[$0])] })
    }
}
