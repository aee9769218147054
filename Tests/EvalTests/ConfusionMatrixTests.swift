// `detect-eval --confusion`: the class confusion matrix against mmdetection's
// confusion_matrix.py (Fixtures/confusion.expected.json, scripts/fixtures/make_confusion_fixtures.py)
// on the LVIS-rules and COCO-rules inputs at three score / IoU thresholds, every count; its CSV;
// the long-tail view (rare and common classes' detections taken by frequent classes) and the
// heat map of the classes most involved.
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class ConfusionMatrixTests: XCTestCase {
    func testEveryCountEqualsMMDetection() throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("confusion.expected.json"))))
            as! [String: Any]
        let cases = expected["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 6)
        for entry in cases {
            let gt = try Dataset.load(path: Fixtures.path(entry["gt"] as! String))
            let resultsPath = Fixtures.path(entry["results"] as! String)
            let matrix = try ConfusionMatrix.compute(dataset: gt, results: try DetectionResultsReader.readAll(path: resultsPath),
                                                     resultsPath: resultsPath,
                                                     scoreThreshold: (entry["scoreThreshold"] as! NSNumber).doubleValue,
                                                     iouThreshold: (entry["iouThreshold"] as! NSNumber).doubleValue)
            XCTAssertEqual(matrix.counts, (entry["counts"] as! [NSNumber]).map(\.intValue), "\(entry["name"]!) \(entry["scoreThreshold"]!)")
            // The same from the columns an evaluation loads (what `detect-eval --confusion` uses).
            var columns = try ResultColumns.read(path: resultsPath)
            let index = GroundTruthIndex(gt)
            try columns.resolve(groundTruth: index, path: resultsPath)
            let fromColumns = try ConfusionMatrix.compute(dataset: gt, results: AnalysisResults(columns: columns, index: index),
                                                          resultsPath: resultsPath, scoreThreshold: matrix.scoreThreshold,
                                                          iouThreshold: matrix.iouThreshold)
            XCTAssertEqual(fromColumns, matrix, "\(entry["name"]!) from columns")
        }
    }

    /// Two classes per group on one image: a rare ground truth covered by a frequent class's
    /// detection, a common one missed, a background detection.
    func testCSVAndTheLongTailView() throws {
        let gt = try Dataset.load(text: """
        {"images": [{"id": 1, "width": 100, "height": 100, "neg_category_ids": [], "not_exhaustive_category_ids": []}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 20, 20], "area": 400},
                         {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 50, 20, 20], "area": 400},
                         {"id": 3, "image_id": 1, "category_id": 3, "bbox": [0, 50, 20, 20], "area": 400}],
         "categories": [{"id": 1, "name": "rare, one", "frequency": "r"}, {"id": 2, "name": "common", "frequency": "c"},
                        {"id": 3, "name": "frequent", "frequency": "f"}]}
        """)
        let results = [DetectionResult(imageID: ImageID(1), categoryID: CategoryID(3), score: 0.9, bbox: BoxXYWH(x: 1, y: 1, width: 20, height: 20)),
                       DetectionResult(imageID: ImageID(1), categoryID: CategoryID(3), score: 0.8, bbox: BoxXYWH(x: 0, y: 50, width: 20, height: 20)),
                       DetectionResult(imageID: ImageID(1), categoryID: CategoryID(1), score: 0.2, bbox: BoxXYWH(x: 0, y: 0, width: 20, height: 20)),
                       DetectionResult(imageID: ImageID(1), categoryID: CategoryID(2), score: 0.5, bbox: BoxXYWH(x: 90, y: 90, width: 5, height: 5))]
        let matrix = try ConfusionMatrix.compute(dataset: gt, results: results, resultsPath: "r.json")
        XCTAssertEqual(matrix.csv(), """
        ground_truth\\detected,"rare, one",common,frequent,background
        "rare, one",0,0,1,1
        common,0,0,0,1
        frequent,0,0,1,0
        background,0,1,0,0

        """)
        let tail = matrix.tailConfusions()
        XCTAssertEqual(tail.count, 1)
        XCTAssertEqual(tail[0].category.id.rawValue, 1)
        XCTAssertEqual(tail[0].rowTotal, 2)
        XCTAssertEqual(tail[0].takenBy.map { [$0.category.id.rawValue, $0.count] }, [[3, 1]])
        // The heat map: classes 1 (rare) and 3 (frequent) are involved, common 2 is not; cell
        // (1 -> 3) is half of row 1, cell (3 -> 3) all of row 3.
        XCTAssertEqual(ConfusionHeatMap.classes(matrix, limit: 30), [0, 2])
        let map = ConfusionHeatMap.render(matrix)
        let half = ConfusionHeatMap.cell / 2
        XCTAssertEqual(pixel(map, ConfusionHeatMap.labelWidth + ConfusionHeatMap.cell + half, ConfusionHeatMap.top + half),
                       ConfusionHeatMap.shade(0.5))
        XCTAssertEqual(pixel(map, ConfusionHeatMap.labelWidth + ConfusionHeatMap.cell + half, ConfusionHeatMap.top + ConfusionHeatMap.cell + half),
                       ConfusionHeatMap.shade(1))
        XCTAssertEqual(pixel(map, ConfusionHeatMap.labelWidth + half, ConfusionHeatMap.top + half), .white)
        XCTAssertEqual(ConfusionHeatMap.path(besideCSV: "out/conf.csv"), "out/conf.png")
        XCTAssertThrowsError(try ConfusionMatrix.compute(dataset: gt, results: [DetectionResult(imageID: ImageID(9), categoryID: CategoryID(1),
                                                                                               score: 1, bbox: BoxXYWH(x: 0, y: 0, width: 1, height: 1))],
                                                         resultsPath: "r.json")) { XCTAssert("\($0)".contains("results[0]"), "\($0)") }
    }

    func pixel(_ canvas: Canvas, _ x: Int, _ y: Int) -> RGBColor {
        let at = (y * canvas.width + x) * 3, p = canvas.image.pixels
        return RGBColor(red: p[at], green: p[at + 1], blue: p[at + 2])
    }
}
