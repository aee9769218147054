// The streaming results reader on real results files (cocoapi fake results, detectron2
// RLE masks, faster-coco-eval) with values checked against Python's json.
import Foundation
import SharedData
import SharedSupport
import XCTest

final class ResultsReaderTests: XCTestCase {
    func testReadsCocoapiBoxResults() throws {
        let results = try DetectionResultsReader.readAll(path: SharedDataFiles.path("eval/cocoapi/instances_val2014_fakebbox100_results.json"))
        XCTAssertEqual(results.count, 734)
        // Python: r[0] = {'image_id': 42, 'category_id': 18, 'bbox': [258.15, 41.29, 348.26, 243.78], 'score': 0.236}
        XCTAssertEqual(results[0], DetectionResult(imageID: ImageID(42), categoryID: CategoryID(18), score: 0.236,
                                                   bbox: BoxXYWH(x: 258.15, y: 41.29, width: 348.26, height: 243.78)))
        XCTAssertTrue(results.allSatisfy { $0.segmentation == nil && $0.bbox != nil })
    }

    func testReadsCocoapiMaskResults() throws {
        let results = try DetectionResultsReader.readAll(path: SharedDataFiles.path("eval/cocoapi/instances_val2014_fakesegm100_results.json"))
        XCTAssertEqual(results.count, 734)
        XCTAssertNil(results[0].bbox)
        guard case let .compressedRLE(height, width, counts) = results[0].segmentation else { return XCTFail() }
        XCTAssertEqual([height, width], [478, 640])
        XCTAssertEqual(String(decoding: counts.prefix(20), as: UTF8.self), "VQi31m>0O2N100O100O2")
    }

    func testReadsDetectron2RLEResults() throws {
        var results: [DetectionResult] = []
        try DetectionResultsReader.read(path: SharedDataFiles.path("eval/detectron2_mini/detections.json")) { results.append($0) }
        XCTAssertEqual(results.count, 3)
        XCTAssertEqual(results.map(\.score), [0.9949821829795837, 0.7685421705245972, 0.07092753797769547])
        XCTAssertEqual(results[2].bbox, BoxXYWH(x: 457.8359069824219, y: 158.88027954101562, width: 9.89764404296875,
                                                height: 8.771820068359375))
        guard case let .compressedRLE(_, _, counts) = results[2].segmentation else { return XCTFail() }
        XCTAssertEqual(String(decoding: counts, as: UTF8.self), "bSo54T=2N2O1001O006ImiW2")
    }

    func testReadsFasterCocoEvalResults() throws {
        let results = try DetectionResultsReader.readAll(path: SharedDataFiles.path("eval/faster_coco_eval/dt_ignore_test.json"))
        XCTAssertEqual(results.count, 63)
        XCTAssertTrue(results.allSatisfy { $0.imageID == ImageID(2299) })
        XCTAssertEqual(results[0].score, 0.73537)
    }

    func testStopsWhenTheCallbackThrows() throws {
        var seen = 0
        struct Stop: Error {}
        XCTAssertThrowsError(try DetectionResultsReader.read(path: SharedDataFiles.path("eval/cocoapi/instances_val2014_fakebbox100_results.json")) { _ in
            seen += 1
            if seen == 5 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, 5)
    }

    /// A pipe is read in chunks into one buffer (the path standard input takes for "-").
    func testReadsFromAPipe() throws {
        var text = "["
        for index in 0..<40_000 {
            if index > 0 { text += ",\n" }
            text += #"{"image_id": \#(index), "category_id": 1, "bbox": [1.5, 2, 3, 4], "score": 0.5, "id": \#(index)}"#
        }
        text += "]"
        var descriptors: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&descriptors), 0)
        let bytes = Array(text.utf8)
        let writer = Thread {
            bytes.withUnsafeBytes { _ = StandardStreams.writeAll(descriptors[1], $0.bindMemory(to: UInt8.self)) }
            close(descriptors[1])
        }
        writer.start()
        var count = 0
        var lastImage = -1
        try DetectionResultsReader.read(path: "/proc/self/fd/\(descriptors[0])") { result in
            count += 1
            lastImage = result.imageID.rawValue
        }
        close(descriptors[0])
        XCTAssertGreaterThan(bytes.count, 3_000_000)
        XCTAssertEqual(count, 40_000)
        XCTAssertEqual(lastImage, 39_999)
    }
}
