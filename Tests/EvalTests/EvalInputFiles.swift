// A tiny ground truth and results file written to a temporary folder, for tests of what
// the loader checks and reports: one 4 x 5 image (20 pixels, id 7) and categories 1 and 2.
import Foundation

struct EvalInputFiles {
    let directory: URL

    init(_ name: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-input-\(getpid())-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Writes `text` to `name` in the folder; returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// One annotation JSON object on image 7 (bbox [1, 2, 2, 3]).
    static func annotation(id: Int, imageID: Int = 7, categoryID: Int = 1, segmentation: String = "[[1, 2, 3, 2, 3, 5, 1, 5]]") -> String {
        #"{"id": \#(id), "image_id": \#(imageID), "category_id": \#(categoryID), "bbox": [1, 2, 2, 3], "area": 6, "iscrowd": 0, "segmentation": \#(segmentation)}"#
    }

    /// A COCO ground truth with image 7 (4 x 5) and categories 1 and 2.
    static func groundTruth(_ annotations: [String]) -> String {
        #"{"images": [{"id": 7, "width": 5, "height": 4}], "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "annotations": [\#(annotations.joined(separator: ", "))]}"#
    }

    /// One result JSON object on image 7; `segmentation` nil gives a box result.
    static func result(categoryID: Int = 1, score: Double = 0.9, segmentation: String? = nil) -> String {
        if let segmentation {
            return #"{"image_id": 7, "category_id": \#(categoryID), "score": \#(score), "segmentation": \#(segmentation)}"#
        }
        return #"{"image_id": 7, "category_id": \#(categoryID), "score": \#(score), "bbox": [1, 2, 2, 3]}"#
    }
}
