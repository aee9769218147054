// The category table of an imported model (class index -> dataset category id). mmdetection
// and detectron2 number a dataset's categories by ascending id, so the table is the dataset's
// ids sorted; a file's stored class names (mmdetection's meta CLASSES) are checked against the
// dataset's names. Without a dataset, the tables everyone knows: LVIS v1 (1203 classes, ids
// 1..1203), LVIS v0.5 (1230, ids 1..1230), COCO (80, its ids 1..90 with gaps).
import SharedSupport

public enum ImportCategories {
    /// COCO 2017's 80 category ids in ascending order.
    public static let cocoIDs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
                                 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
                                 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84,
                                 85, 86, 87, 88, 89, 90]

    /// The well-known table for `classes` classes, or nil.
    public static func knownIDs(classes: Int) -> [Int]? {
        switch classes {
        case 1203, 1230: return Array(1...classes)
        case 80: return cocoIDs
        default: return nil
        }
    }

    /// The ids of `categories` (a dataset's list) in ascending order, checked against the
    /// model's class count and, when the checkpoint stores them, its class names.
    public static func ids(from categories: [(id: Int, name: String)], classes: Int, storedNames: [String]?,
                           datasetFile: String) throws -> [Int] {
        let sorted = categories.sorted { $0.id < $1.id }
        guard sorted.count == classes else {
            throw ToolError("the dataset has \(sorted.count) categories, the checkpoint's classifier \(classes)", file: datasetFile,
                            hint: "pass the annotation json of the dataset the model was trained on (--categories)")
        }
        if let storedNames, storedNames.count == classes,
           let index = storedNames.indices.first(where: { storedNames[$0] != sorted[$0].name }) {
            throw ToolError("class \(index) is \"\(storedNames[index])\" in the checkpoint but category \(sorted[index].id) "
                            + "is \"\(sorted[index].name)\" in the dataset", file: datasetFile,
                            hint: "pass the annotation json of the dataset (and version) the model was trained on")
        }
        return sorted.map(\.id)
    }
}
