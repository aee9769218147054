// The run budget of the masks made from one file's polygons (issue "Hostile input": a 100 KB
// results file of triangles across a 10 000-wide image asked for 2e7 runs, 38 s in a debug
// build): the default scales with the file, the bounds are summed before rasterising, and
// the first record past the budget is named, for the ground truth, for results polygons
// and, with mask AP, for the masks box-only results get.
import SharedData
@testable import SharedEval
import SharedMasks
import SharedSupport
import XCTest

final class MaskRunBudgetTests: XCTestCase {
    func testDefaultBudgetScalesWithTheFile() throws {
        XCTAssertEqual(MaskRunBudget(documentBytes: 0).limit, 1 << 23)
        XCTAssertEqual(MaskRunBudget(documentBytes: 1_000_000).limit, 1 << 23)
        XCTAssertEqual(MaskRunBudget(documentBytes: 200_000_000).limit, 1_600_000_000)
        XCTAssertEqual(MaskRunBudget(documentBytes: Int.max).limit, Int.max)
        var budget = MaskRunBudget(limit: 30)
        try budget.spend(20, path: "f.json", record: "results[0]")
        XCTAssertThrowsError(try budget.spend(11, path: "f.json", record: "results[1]")) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, "f.json")
            XCTAssertEqual(toolError?.record, "results[1]")
            XCTAssertEqual(toolError?.message.hasPrefix("the masks made from this file's polygons (and, for mask AP, its boxes) would hold 31 runs by this record, over the file's budget of 30 runs (--max-mask-runs;"), true, "\(error)")
            XCTAssertEqual(toolError?.hint?.contains("--max-mask-runs"), true)
        }
        var fresh = MaskRunBudget(documentBytes: 10)
        XCTAssertThrowsError(try fresh.spend(RLE.maximumRuns + 1, path: "f.json", record: "annotations[3] (id 9)")) { error in
            XCTAssertEqual((error as? ToolError)?.record, "annotations[3] (id 9)")
            XCTAssertEqual((error as? ToolError)?.message.contains("over the limit of 1048576 runs per mask"), true, "\(error)")
        }
    }

    /// Each rectangle on the 4 x 5 image has a bound of 2 x 2 columns + 4 vertices + 1 = 9.
    private let rectangle = "[[1, 2, 3, 2, 3, 5, 1, 5]]"

    private func evaluate(groundTruth: [String], results: [String], iouTypes: [IoUType], limit: Int?,
                          name: String) throws -> (gt: String, dt: String, run: () throws -> Void) {
        let files = try EvalInputFiles(name)
        addTeardownBlock { files.remove() }
        let gt = try files.write("gt.json", EvalInputFiles.groundTruth(groundTruth))
        let dt = try files.write("dt.json", "[" + results.joined(separator: ", ") + "]")
        let evaluation = DetectionEvaluation(groundTruthPath: gt, resultsPath: dt, style: .coco, iouTypes: iouTypes, maskRunLimit: limit)
        return (gt, dt, { _ = try evaluation.run(parallelism: .serial) })
    }

    func testGroundTruthPolygonsPastTheBudgetAreRefusedNamingTheRecord() throws {
        let annotations = (1...3).map { EvalInputFiles.annotation(id: $0, segmentation: rectangle) }
        let job = try evaluate(groundTruth: annotations, results: [EvalInputFiles.result()], iouTypes: [.segm], limit: 20, name: "gt-budget")
        XCTAssertThrowsError(try job.run()) { error in
            XCTAssertEqual((error as? ToolError)?.file, job.gt)
            XCTAssertEqual((error as? ToolError)?.record, "annotations[2] (id 3)")
        }
        XCTAssertNoThrow(try evaluate(groundTruth: annotations, results: [EvalInputFiles.result()], iouTypes: [.segm], limit: 27,
                                      name: "gt-budget-ok").run())
    }

    func testResultPolygonsAndBoxMasksPastTheBudgetAreRefusedNamingTheRecord() throws {
        let polygons = (0..<3).map { _ in EvalInputFiles.result(segmentation: rectangle) }
        let gt = [EvalInputFiles.annotation(id: 1)]
        let job = try evaluate(groundTruth: gt, results: polygons, iouTypes: [.bbox], limit: 20, name: "dt-budget")
        XCTAssertThrowsError(try job.run()) { error in
            XCTAssertEqual((error as? ToolError)?.file, job.dt)
            XCTAssertEqual((error as? ToolError)?.record, "results[2]")
        }
        // Box-only results are made masks for mask AP only: each box [1, 2, 2, 3] bounds 9 runs.
        let boxes = (0..<3).map { _ in EvalInputFiles.result() }
        XCTAssertNoThrow(try evaluate(groundTruth: gt, results: boxes, iouTypes: [.bbox], limit: 20, name: "box-bbox").run())
        let segm = try evaluate(groundTruth: gt, results: boxes, iouTypes: [.segm], limit: 20, name: "box-segm")
        XCTAssertThrowsError(try segm.run()) { error in
            XCTAssertEqual((error as? ToolError)?.file, segm.dt)
            XCTAssertEqual((error as? ToolError)?.record, "results[2]")
        }
        XCTAssertNoThrow(try evaluate(groundTruth: gt, results: boxes, iouTypes: [.segm], limit: 27, name: "box-segm-ok").run())
    }
}
