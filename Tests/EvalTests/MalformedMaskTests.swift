// Masks whose run lengths do not add up to height * width, in the results or in the ground
// truth: a data error naming the file and the record (the run walk used to spin forever on
// some and silently accept others). Valid masks still evaluate.
import SharedData
import SharedEval
import SharedMasks
import SharedSupport
import XCTest

final class MalformedMaskTests: XCTestCase {
    /// Columns 1 and 2, rows 2 and 3 of the 4 x 5 image: 20 pixels, 4 of them on.
    static let validMask = #"{"size": [4, 5], "counts": [6, 2, 2, 2, 8]}"#

    /// A segm evaluation of `groundTruth` and `results` written to temporary files.
    private struct MaskJob {
        let files: EvalInputFiles
        let gt: String
        let dt: String

        init(groundTruth: String, results: [String], name: String) throws {
            files = try EvalInputFiles(name)
            gt = try files.write("gt.json", groundTruth)
            dt = try files.write("dt.json", "[" + results.joined(separator: ", ") + "]")
        }

        func run() throws -> [EvaluationReport] {
            try DetectionEvaluation(groundTruthPath: gt, resultsPath: dt, style: .coco, iouTypes: [.segm]).run(parallelism: .serial)
        }
    }

    func testResultMaskWhoseRunsDoNotCoverTheImageIsNamed() throws {
        let malformed = [
            #"{"size": [4, 5], "counts": [2, 30]}"#,     // too many pixels (the audit's hang)
            #"{"size": [4, 5], "counts": [2, 3]}"#,      // too few
            #"{"size": [4, 5], "counts": "zz~~~~~!!"}"#, // negative runs (the other hang)
            #"{"size": [4, 5], "counts": "zz1"}"#,
            #"{"size": [4, 5], "counts": ""}"#,
        ]
        for (index, mask) in malformed.enumerated() {
            let results = [EvalInputFiles.result(segmentation: Self.validMask), EvalInputFiles.result(score: 0.5, segmentation: mask)]
            let job = try MaskJob(groundTruth: EvalInputFiles.groundTruth([EvalInputFiles.annotation(id: 1)]),
                                        results: results, name: "result-\(index)")
            defer { job.files.remove() }
            XCTAssertThrowsError(try job.run(), mask) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.file, job.dt, mask)
                XCTAssertEqual(toolError?.record, "results[1]", mask)
                XCTAssertEqual(toolError?.exitCode, .dataError, mask)
                XCTAssert(toolError?.message.contains("must add up to height*width = 4*5 = 20") == true, "\(mask): \(error)")
            }
        }
    }

    func testGroundTruthMaskWhoseRunsDoNotCoverTheImageIsNamed() throws {
        for (index, mask) in [#"{"size": [4, 5], "counts": [6, 2, 2, 2, 7]}"#, #"{"size": [4, 5], "counts": "zz1"}"#].enumerated() {
            let annotations = [EvalInputFiles.annotation(id: 1), EvalInputFiles.annotation(id: 8, segmentation: mask)]
            let job = try MaskJob(groundTruth: EvalInputFiles.groundTruth(annotations),
                                        results: [EvalInputFiles.result(segmentation: Self.validMask)], name: "gt-\(index)")
            defer { job.files.remove() }
            XCTAssertThrowsError(try job.run(), mask) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.file, job.gt, mask)
                XCTAssertEqual(toolError?.record, "annotations[1] (id 8)", mask)
                XCTAssert(toolError?.message.contains("must add up to height*width = 4*5 = 20") == true, "\(mask): \(error)")
            }
        }
    }

    func testValidMasksStillEvaluate() throws {
        let compressed = RLE(height: 4, width: 5, counts: [6, 2, 2, 2, 8]).compressedString
        XCTAssertEqual(compressed, "62206")  // pycocotools' frPyObjects gives the same string
        let annotations = [EvalInputFiles.annotation(id: 1, segmentation: Self.validMask)]
        let results = [EvalInputFiles.result(segmentation: #"{"size": [4, 5], "counts": "\#(compressed)"}"#)]
        let job = try MaskJob(groundTruth: EvalInputFiles.groundTruth(annotations), results: results, name: "valid")
        defer { job.files.remove() }
        let report = try XCTUnwrap(try job.run().first)
        XCTAssertEqual(report.detectionCount, 1)
        XCTAssertEqual(try XCTUnwrap(report.stat("AP")), 1.0, accuracy: 1e-12)
    }
}
