// Mask sizes read from results files are compared in full (a declared height of 2^32 + 4
// was truncated to 4 and accepted as the 4 x 5 image's), and images of more than 2^32 - 1
// pixels are refused for mask AP, naming the file and record, instead of wrapping.
import SharedData
import SharedEval
import SharedSupport
import XCTest

final class MaskSizeLimitTests: XCTestCase {
    private func segm(groundTruth: String, results: [String], name: String) throws -> (run: () throws -> Void, gt: String, dt: String) {
        let files = try EvalInputFiles(name)
        addTeardownBlock { files.remove() }
        let gt = try files.write("gt.json", groundTruth)
        let dt = try files.write("dt.json", "[" + results.joined(separator: ", ") + "]")
        let run = { _ = try DetectionEvaluation(groundTruthPath: gt, resultsPath: dt, style: .coco, iouTypes: [.segm]).run(parallelism: .serial) }
        return (run, gt, dt)
    }

    func testDeclaredSizeIsComparedIn64Bits() throws {
        let wrapped = 4_294_967_296 + 4  // truncated to 32 bits: 4, the image's height
        let job = try segm(groundTruth: EvalInputFiles.groundTruth([EvalInputFiles.annotation(id: 1)]),
                           results: [EvalInputFiles.result(segmentation: #"{"size": [\#(wrapped), 5], "counts": [6, 2, 2, 2, 8]}"#)],
                           name: "size-wrap")
        XCTAssertThrowsError(try job.run()) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, job.dt)
            XCTAssertEqual(toolError?.record, "results[0]")
            XCTAssertEqual(toolError?.message, "mask size \(wrapped)x5 differs from image 7 (4x5)")
        }
    }

    func testImagePast32BitsIsRefusedForMaskAP() throws {
        let groundTruth = #"{"images": [{"id": 7, "width": 100000, "height": 100000}], "categories": [{"id": 1, "name": "a"}], "annotations": [\#(EvalInputFiles.annotation(id: 1, segmentation: "[]"))]}"#
        let job = try segm(groundTruth: groundTruth, results: [EvalInputFiles.result()], name: "huge-image")
        XCTAssertThrowsError(try job.run()) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, job.gt)
            XCTAssertEqual(toolError?.record, "images[0] (id 7)")
            XCTAssertEqual(toolError?.exitCode, .dataError)
            XCTAssertEqual(toolError?.message.hasPrefix("a 100000x100000 mask (height x width = 10000000000 pixels) is larger than an RLE mask can describe"), true,
                           "\(error)")
        }
        // The same files evaluate as boxes.
        let reports = try DetectionEvaluation(groundTruthPath: job.gt, resultsPath: job.dt, style: .coco, iouTypes: [.bbox]).run(parallelism: .serial)
        XCTAssertEqual(reports.count, 1)
    }
}
