// Issue "Hostile input", masks whose runs are unbounded by the input: a mask costs one run
// per image column each polygon edge crosses, so a 17 KB zig-zag asked for a million runs
// and a 1 MB one for 51 million (40-54 s in a debug build); many polygons each under the
// per-mask limit, or box results made masks on a 60 000-wide image, add up the same way.
// detect-eval now sums the bounds from the vertices before rasterising anything and refuses
// the record past `RLE.maximumRuns` (one mask) or the file's budget (all its masks), exit 1,
// naming file, record and limit, within 1 GiB and 60 s.
import Foundation
import XCTest

final class HostileMaskRunTests: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "hostile-mask-runs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    private func write(_ name: String, _ object: Any) throws -> String {
        let path = scratch + "/" + name
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A zig-zag of `vertices` vertices between x = 0.2 and x = width - 0.5: every edge
    /// crosses every column, so its mask's bound is about vertices x width runs.
    private func zigzag(_ vertices: Int, width: Int = 640, height: Int = 480, shift: Int = 0) -> [Double] {
        var xy: [Double] = []
        for i in 0..<vertices {
            let x = i % 2 == 0 ? Double(width) - 0.5 : 0.2
            let tenths = (i * 7 + shift) % (height * 10 - 10)
            xy += [x, Double(tenths) / 10 + 0.3]
        }
        return xy
    }

    private let square: [[Double]] = [[10, 10, 50, 10, 50, 50, 10, 50]]

    private func groundTruth(_ segmentations: [[[Double]]], width: Int = 640, height: Int = 480) throws -> String {
        try write("gt.json", [
            "images": [["id": 1, "width": width, "height": height]],
            "categories": [["id": 1, "name": "thing"]],
            "annotations": segmentations.enumerated().map { index, segmentation in
                ["id": index + 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 40], "area": 1600, "iscrowd": 0,
                 "segmentation": segmentation] as [String: Any]
            },
        ])
    }

    private func results(_ segmentations: [[[Double]]]) throws -> String {
        try write("dt.json", segmentations.map { ["image_id": 1, "category_id": 1, "score": 0.9, "segmentation": $0] as [String: Any] })
    }

    private func refused(_ arguments: [String], status: Int32 = 1, mentions: [String], _ label: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try ToolRunner.runBounded("detect-eval", arguments)
        print("HostileMaskRunTests: \(label): \(run.summary.prefix(500))")
        ToolRunner.assertCleanRefusal(run, status: status, mentions: mentions, label, file: file, line: line)
    }

    /// One 17 KB results polygon (1700 vertices, bound 1.09e6 runs) and the same polygon in
    /// the ground truth: each refused before rasterising (it took 1 s and 29 MB to evaluate).
    func testOnePolygonOverTheRunLimitIsRefused() throws {
        let over = [zigzag(1700)]
        let dt = try results([over[0]].map { [$0] })
        let gt = try groundTruth([square])
        try refused(["--gt", gt, dt, "--iou-type", "segm"],
                    mentions: [dt, "results[0]", "over the limit of 1048576 runs per mask", "hint:"], "results polygon over the limit")
        let gtOver = try groundTruth([over])
        let plain = try results([square])
        try refused(["--gt", gtOver, plain, "--iou-type", "segm"],
                    mentions: [gtOver, "annotations[0] (id 1)", "over the limit of 1048576 runs per mask"], "ground-truth polygon over the limit")
    }

    /// Nine results polygons of 1600 vertices (160 KB, each 1.02e6 runs, under the per-mask
    /// limit) pass the default budget of 2^23 runs at the ninth: refused at once (they took
    /// about 10 s in a debug build; a megabyte of them, minutes).
    func testManyPolygonsPastTheFileBudgetAreRefused() throws {
        let dt = try results((0..<9).map { [zigzag(1600, shift: $0)] })
        let gt = try groundTruth([square])
        try refused(["--gt", gt, dt, "--iou-type", "bbox"],
                    mentions: [dt, "results[8]", "over the file's budget of 8388608 runs", "--max-mask-runs"], "nine polygons, default budget")
    }

    /// `--max-mask-runs` sets the budget: three triangles across a 4000-wide image (each about
    /// 8000 runs) pass by default, are refused at the third under 20000, and 0 is a usage error.
    func testMaxMaskRunsSetsTheBudget() throws {
        let triangle: [Double] = [0.3, 2, 3999.5, 3, 2000, 99]
        let gt = try groundTruth([square], width: 4000, height: 100)
        let dt = try results([[triangle], [triangle], [triangle]])
        let run = try ToolRunner.runBounded("detect-eval", ["--gt", gt, dt, "--iou-type", "segm"])
        XCTAssertEqual(run.status, 0, run.summary)
        try refused(["--gt", gt, dt, "--iou-type", "segm", "--max-mask-runs", "20000"],
                    mentions: [dt, "results[2]", "over the file's budget of 20000 runs (--max-mask-runs"], "--max-mask-runs 20000")
        try refused(["--gt", gt, dt, "--max-mask-runs", "0"], status: 64, mentions: ["--max-mask-runs must be at least 1"], "--max-mask-runs 0")
    }

    /// For mask AP a box-only result is made the mask of its box (as pycocotools' loadRes
    /// does): 100 boxes the width of a 60 000 x 60 000 image bound 1.2e7 runs, past the budget
    /// at the 70th; as boxes they evaluate at once.
    func testBoxResultsMadeMasksCountAgainstTheBudget() throws {
        let gt = try groundTruth([square], width: 60_000, height: 60_000)
        let boxes = (0..<100).map { i -> [String: Any] in
            ["image_id": 1, "category_id": 1, "score": 0.5, "bbox": [0, Double(i * 100), 60_000, 50]]
        }
        let dt = try write("boxes.json", boxes)
        try refused(["--gt", gt, dt, "--iou-type", "segm"], mentions: [dt, "results[69]", "over the file's budget of 8388608 runs"],
                    "box results made masks")
        let run = try ToolRunner.runBounded("detect-eval", ["--gt", gt, dt, "--iou-type", "bbox"])
        print("HostileMaskRunTests: box results as boxes: \(run.summary.prefix(300))")
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertLessThanOrEqual(run.seconds, ToolRunner.hostileTimeBound, run.summary)
    }
}
