// Writing schema records: a dataset written and loaded again is equal (real COCO and LVIS
// files), and results written by the writer read back equal.
import Foundation
import SharedData
import SharedSupport
import XCTest

final class WritingTests: XCTestCase {
    private func roundTrip(_ relative: String) throws {
        let original = try Dataset.load(path: SharedDataFiles.path(relative))
        let path = NSTemporaryDirectory() + "schema-roundtrip-\(getpid()).json"
        defer { unlink(path) }
        try original.write(path: path)
        let reloaded = try Dataset.load(path: path)
        XCTAssertEqual(reloaded.format, original.format)
        XCTAssertEqual(reloaded.images, original.images)
        XCTAssertEqual(reloaded.categories, original.categories)
        XCTAssertEqual(reloaded.annotations, original.annotations)
    }

    func testCOCORoundTrip() throws { try roundTrip("coco128/annotations/instances_train2017.json") }

    func testLVISRoundTrip() throws { try roundTrip("eval/lvis_val_100.json") }

    func testResultsRoundTrip() throws {
        let original = try DetectionResultsReader.readAll(path: SharedDataFiles.path("eval/detectron2_mini/detections.json"))
            + [DetectionResult(imageID: ImageID(1), categoryID: CategoryID(2), score: 0.1 + 0.2,
                               segmentation: .uncompressedRLE(height: 2, width: 2, counts: [1, 2, 1])),
               DetectionResult(imageID: ImageID(1), categoryID: CategoryID(2), score: 1e-7,
                               bbox: BoxXYWH(x: 0, y: 0, width: 1, height: 1), segmentation: .polygons([[0, 0, 1, 0, 1, 1]]))]
        var json = JSONWriter()
        json.beginArray()
        for result in original { result.write(to: &json) }
        json.endArray()
        XCTAssertEqual(try DetectionResultsReader.readAll(text: json.text), original)
        XCTAssertTrue(json.text.contains(#""score":0.30000000000000004"#))
    }
}
