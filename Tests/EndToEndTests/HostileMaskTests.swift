// Issue "hostile input", rasterisation and RLE sizes: polygons far outside the image (a
// zig-zag between x = ±1e6 in results or ground truth, a vertex at x = 1e9 or 1e39 for
// convert and fit) and mask sizes past 32 bits (a 100000 x 100000 image), each run under
// the bounded runner: a correct evaluation or a clean refusal, within 1 GiB and 60 s.
import Foundation
import XCTest

final class HostileMaskTests: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "hostile-mask-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    // MARK: inputs

    private func write(_ name: String, _ object: Any) throws -> String {
        let path = scratch + "/" + name
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A ground truth of one `width` x `height` image with one annotation of `segmentation`.
    private func groundTruth(_ segmentation: Any, width: Int = 640, height: Int = 480) throws -> String {
        try write("gt.json", [
            "images": [["id": 1, "width": width, "height": height]],
            "categories": [["id": 1, "name": "thing"]],
            "annotations": [["id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 10, 640, 400], "area": 100_000,
                             "iscrowd": 0, "segmentation": segmentation]],
        ])
    }

    private func results(_ segmentation: Any) throws -> String {
        try write("dt.json", [["image_id": 1, "category_id": 1, "score": 0.9, "segmentation": segmentation]])
    }

    /// The polygon: 400 vertices zig-zagging between x = +1e6 and -1e6 (9 KB of json;
    /// maskApi.c's dense walk would visit 4e9 points).
    private let zigzag: [Double] = (0..<400).flatMap { i -> [Double] in
        [i % 2 == 0 ? 1e6 : -1e6, Double(i * 17 % 4000) / 10 + 10]
    }

    /// A 6-vertex zig-zag at x = ±1e6 and pycocotools' RLE of it (mask_clipping.json, made by
    /// scripts/fixtures/make_mask_fixtures.py: pycocotools can still afford this one).
    private func pycocotoolsZigZag() throws -> (polygon: [Double], rle: [String: Any]) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MasksTests/Fixtures/mask_clipping.json")
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        let last = try XCTUnwrap(cases.last { $0["kind"] as? String == "zigzag" })
        let polygon = try XCTUnwrap((last["polygons"] as? [[Double]])?.first)
        XCTAssertEqual(polygon.count, 12)
        return (polygon, ["size": [480, 640], "counts": try XCTUnwrap(last["string"] as? String)])
    }

    private func evaluate(_ gt: String, _ dt: String, iouType: String = "segm", label: String) throws -> BoundedRun {
        let run = try ToolRunner.runBounded("detect-eval", ["--gt", gt, dt, "--iou-type", iouType, "--json"])
        print("HostileMaskTests: \(label): \(run.summary)")
        return run
    }

    private func assertEvaluated(_ run: BoundedRun, ap expected: Double, _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(run.status, 0, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertLessThanOrEqual(run.peakResidentBytes, ToolRunner.hostileMemoryBound, "\(label): \(run.summary)", file: file, line: line)
        XCTAssertLessThanOrEqual(run.seconds, ToolRunner.hostileTimeBound, "\(label): \(run.summary)", file: file, line: line)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], label)
        let segm = try XCTUnwrap(report["segm"] as? [String: Any], label)
        XCTAssertEqual((segm["AP"] as? NSNumber)?.doubleValue ?? -2, expected, accuracy: 1e-12, "\(label)", file: file, line: line)
    }

    // MARK: detect-eval, polygons far outside the image

    /// pycocotools' own mask of the ±1e6 zig-zag as ground truth, the polygon as the result:
    /// AP 1 only if the clipped rasteriser gives exactly pycocotools' mask.
    func testZigZagResultPolygonIsEvaluatedExactly() throws {
        let (polygon, rle) = try pycocotoolsZigZag()
        let run = try evaluate(try groundTruth(rle), try results([polygon]), label: "results zig-zag vs pycocotools RLE")
        try assertEvaluated(run, ap: 1, "results zig-zag vs pycocotools RLE")
    }

    /// The same with the polygon in the ground truth (annToRLE's path) and the RLE as result.
    func testZigZagGroundTruthPolygonIsEvaluatedExactly() throws {
        let (polygon, rle) = try pycocotoolsZigZag()
        let run = try evaluate(try groundTruth([polygon]), try results(rle), label: "ground-truth zig-zag vs pycocotools RLE")
        try assertEvaluated(run, ap: 1, "ground-truth zig-zag vs pycocotools RLE")
    }

    /// The 9 KB polygon (16 GB before): in the results against a plain square, in the
    /// ground truth against a box result, and on both sides (the same mask: AP 1).
    func testNineKilobyteZigZagIsBounded() throws {
        let square: [[Double]] = [[100, 100, 300, 100, 300, 300, 100, 300]]
        let inResults = try evaluate(try groundTruth(square), try results([zigzag]), label: "9 KB zig-zag in results")
        try assertEvaluated(inResults, ap: 0, "9 KB zig-zag in results")
        let boxResult = try write("box.json", [["image_id": 1, "category_id": 1, "score": 0.9, "bbox": [100, 100, 200, 200]]])
        let inGroundTruth = try evaluate(try groundTruth([zigzag]), boxResult, label: "9 KB zig-zag in the ground truth")
        try assertEvaluated(inGroundTruth, ap: 0, "9 KB zig-zag in the ground truth")
        let both = try evaluate(try groundTruth([zigzag]), try results([zigzag]), label: "9 KB zig-zag on both sides")
        try assertEvaluated(both, ap: 1, "9 KB zig-zag on both sides")
    }

    /// Past ±2e8 pycocotools' x5 upsampled 32-bit integers overflow: there is no reference
    /// mask, so a vertex at 1e9 (results) or 1e39 (ground truth) is refused, naming the record.
    func testCoordinatesPastPycocotoolsIntegersAreRefused() throws {
        let square: [[Double]] = [[100, 100, 300, 100, 300, 300, 100, 300]]
        let inResults = try evaluate(try groundTruth(square), try results([[10, 10, 1e9, 20, 30, 50]]), label: "results vertex at x = 1e9")
        ToolRunner.assertCleanRefusal(inResults, status: 1, mentions: ["dt.json: results[0]", "coordinate 1000000000.0 is far outside any image (beyond ±200000000)",
                                                                      "hint:"], "results vertex at x = 1e9")
        let gt = try groundTruth([[10, 10, 1e39, 20, 30, 50]])
        let inGroundTruth = try evaluate(gt, try results(square), label: "ground-truth vertex at x = 1e39")
        ToolRunner.assertCleanRefusal(inGroundTruth, status: 1, mentions: [gt + ": annotations[0] (id 1)", "coordinate 1e+39 is far outside any image"],
                                      "ground-truth vertex at x = 1e39")
    }

    // MARK: detect-eval, masks past 2^32 pixels

    /// An empty segmentation of a 100000 x 100000 image crashed (h * w in 32 bits).
    func testEmptySegmentationOfAHugeImageIsRefused() throws {
        let gt = try groundTruth([Any](), width: 100_000, height: 100_000)
        let dt = try write("box.json", [["image_id": 1, "category_id": 1, "score": 0.9, "bbox": [1, 1, 5, 5]]])
        let run = try evaluate(gt, dt, label: "empty segmentation of a 100000^2 image")
        ToolRunner.assertCleanRefusal(run, status: 1, mentions: [gt, "images[0] (id 1)", "100000x100000 mask",
                                                                  "10000000000 pixels", "hint:"], "empty segmentation of a 100000^2 image")
        // Boxes need no mask: the same files evaluate as bbox.
        XCTAssertEqual(try evaluate(gt, dt, iouType: "bbox", label: "bbox on a 100000^2 image").status, 0)
    }

    /// A polygon on such an image was "RLE counts are malformed" with a wrapped pixel count.
    func testPolygonOnAHugeImageNamesItsSize() throws {
        let gt = try groundTruth([[10, 10, 50, 10, 50, 50]], width: 100_000, height: 100_000)
        let run = try evaluate(gt, try results([[10, 10, 50, 10, 50, 50]]), label: "polygon result on a 100000^2 image")
        ToolRunner.assertCleanRefusal(run, status: 1, mentions: ["dt.json: results[0]", "100000x100000 mask (height x width = 10000000000 pixels)",
                                                                  "at most 4294967295 pixels"], "polygon result on a 100000^2 image")
        XCTAssertFalse(run.stderr.contains("malformed"), run.stderr)
    }

    /// RLE runs whose 64-bit sum is h * w = 10^10 (each run fits 32 bits) used to pass and wrap.
    func testRunsPast32BitsAreRefused() throws {
        let counts = [4_294_967_295, 4_294_967_295, 1_410_065_410]
        let gt = try write("gt.json", [
            "images": [["id": 1, "width": 100_000, "height": 100_000], ["id": 2, "width": 64, "height": 48]],
            "categories": [["id": 1, "name": "thing"]],
            "annotations": [["id": 1, "image_id": 2, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0,
                             "segmentation": [[1, 1, 6, 1, 6, 6, 1, 6]]]],
        ])
        let compressed = try evaluate(gt, try results(["size": [100_000, 100_000], "counts": "oooooo3oooooo3RPigPZ1"]),
                                      label: "compressed RLE summing to 1e10")
        ToolRunner.assertCleanRefusal(compressed, status: 1, mentions: ["dt.json: results[0]", "100000x100000 mask",
                                                                         "larger than an RLE mask can describe"], "compressed RLE summing to 1e10")
        let uncompressed = try evaluate(gt, try results(["size": [100_000, 100_000], "counts": counts]),
                                        label: "uncompressed RLE summing to 1e10")
        ToolRunner.assertCleanRefusal(uncompressed, status: 1, mentions: ["dt.json: results[0]", "100000x100000 mask"],
                                      "uncompressed RLE summing to 1e10")
        // In the ground truth the image itself is refused first (any mask on it would wrap).
        let hugeGT = try groundTruth(["size": [100_000, 100_000], "counts": counts], width: 100_000, height: 100_000)
        let box = try write("box.json", [["image_id": 1, "category_id": 1, "score": 0.9, "bbox": [1, 1, 5, 5]]])
        let inGroundTruth = try evaluate(hugeGT, box, label: "ground-truth RLE summing to 1e10")
        ToolRunner.assertCleanRefusal(inGroundTruth, status: 1, mentions: [hugeGT + ": images[0] (id 1)", "100000x100000 mask"],
                                      "ground-truth RLE summing to 1e10")
    }

    // MARK: lvis-prep convert + detect-train fit, a vertex at x = 1e9 or 1e39

    /// A tiny synthetic LVIS split (4 images, 288 x 288) whose json `edit` may change.
    private func synthTrain(_ edit: (inout [[String: Any]]) throws -> Void) throws -> (annotations: String, images: String) {
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "4", "--val-images", "1", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        var document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: synth + "/lvis_v1_train.json")))
                                     as? [String: Any])
        var annotations = try XCTUnwrap(document["annotations"] as? [[String: Any]])
        try edit(&annotations)
        document["annotations"] = annotations
        return (try write("train.json", document), synth)
    }

    private func fit(_ shards: String, label: String) throws -> BoundedRun {
        let config = try FastConfig.write("smoke", into: scratch)
        let run = try ToolRunner.runBounded("detect-train", ["fit", "--config", config, "--train", shards, "--out", scratch + "/fit-\(UInt32.random(in: 0...UInt32.max))",
                                                             "--iterations", "2", "--threads", "2", "--quiet"])
        print("HostileMaskTests: fit, \(label): \(run.summary)")
        return run
    }

    /// convert refuses the polygons first (counted as degenerate-polygon, named, --strict
    /// stops); fit then trains on what was kept.
    func testFarPolygonsAreRefusedByConvertBeforeFit() throws {
        let (annotations, images) = try synthTrain { list in
            var first = try XCTUnwrap((list[0]["segmentation"] as? [[Double]])?.first)
            first[2] = 1e9
            list[0]["segmentation"] = [first]
            list[1]["segmentation"] = (list[1]["segmentation"] as? [[Double]] ?? []) + [[10, 10, 1e39, 10, 20, 20]]
        }
        let shards = scratch + "/shards"
        let convert = try ToolRunner.runBounded("lvis-prep", ["convert", "--annotations", annotations, "--images", images, "--out", shards, "--quiet"])
        print("HostileMaskTests: convert, vertices at 1e9 and 1e39: \(convert.summary)")
        ToolRunner.assertCleanRefusal(convert, status: 2, mentions: ["degenerate-polygon: 2", "annotation id 1 (image 1)",
                                                                      "point (1000000000.0, ", "point (1e+39, 10.0)",
                                                                      "more than an image size outside the 288x288 image", "--strict"],
                                      "convert, vertices at 1e9 and 1e39")
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(convert.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((summary["skipped"] as? [String: Any])?["degenerate-polygon"] as? Int, 2, convert.stdout)
        XCTAssertEqual(summary["instances"] as? Int, 63, "annotation 1 skipped, annotation 2 kept without its bad polygon")

        let strict = try ToolRunner.runBounded("lvis-prep", ["convert", "--annotations", annotations, "--images", images,
                                                             "--out", scratch + "/strict", "--strict", "--quiet"])
        ToolRunner.assertCleanRefusal(strict, status: 1, mentions: ["degenerate-polygon"], "convert --strict, vertex at 1e9")

        let trained = try fit(shards, label: "shards convert kept")
        XCTAssertEqual(trained.status, 0, trained.summary)
        XCTAssertLessThanOrEqual(trained.peakResidentBytes, ToolRunner.hostileMemoryBound, trained.summary)
        XCTAssertLessThanOrEqual(trained.seconds, ToolRunner.hostileTimeBound, trained.summary)
    }

    /// Shards written before convert checked this (or by hand) can still hold such polygons:
    /// the shard reader refuses them, naming the record, before fit's mask targets see them (a
    /// 17 GB allocation before; the targets are bounded too: `MaskTargetHostileTests`). The first
    /// x of every polygon of the first image (id 1, record 0) is set to 1e9, then to +inf (1e39
    /// stored as f32), with the record's CRC rewritten.
    func testFitOnShardsWithFarPolygonsIsBounded() throws {
        var polygonsOfImage1 = 0
        let (annotations, images) = try synthTrain { list in
            for annotation in list where annotation["image_id"] as? Int == 1 {
                polygonsOfImage1 += (annotation["segmentation"] as? [[Double]])?.count ?? 0
            }
        }
        let shards = scratch + "/shards"
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", images, "--out", shards, "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let shard = shards + "/shard-00000.bin"
        for (label, value) in [("x = 1e9", Float(1e9)), ("x = +inf", Float.infinity)] {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shard)))
            XCTAssertEqual(try patchFirstRecordPolygons(&bytes, firstX: value), polygonsOfImage1, label)
            try Data(bytes).write(to: URL(fileURLWithPath: shard))
            let run = try fit(shards, label: "polygons reaching \(label)")
            ToolRunner.assertCleanRefusal(run, status: 1, mentions: [shard, "record 0 (image id 1)", "polygon 0",
                                                                     "not finite or beyond"], label)
        }
    }

    /// Sets the first x of every polygon in record 0 of a shard to `firstX` and rewrites the
    /// record's CRC-32 (layout: docs/shard-format.md); returns how many polygons it changed.
    private func patchFirstRecordPolygons(_ bytes: inout [UInt8], firstX: Float) throws -> Int {
        var at = 16
        func u32() -> Int {
            defer { at += 4 }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        let length = u32()
        at += 4  // CRC
        let payload = at
        at += 8                  // image id
        at += u32()              // file name
        at += 16                 // original and stored sizes
        at += 1                  // encoding
        at += u32()              // image bytes
        at += 4 * u32()          // negative classes
        at += 4 * u32()          // not-exhaustive classes
        var patched = 0
        for _ in 0..<u32() {
            at += 8 + 4 + 1 + 16  // annotation id, class, crowd, box
            let kind = bytes[at]
            at += 1
            XCTAssertEqual(kind, 1, "synth instances are polygons")
            for _ in 0..<u32() {
                let count = u32()
                withUnsafeBytes(of: firstX.bitPattern.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
                patched += 1
                at += 4 * count
            }
        }
        XCTAssertEqual(at, payload + length, "the record ends where its length says")
        let crc = crc32(bytes[payload..<(payload + length)])
        for k in 0..<4 { bytes[20 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        return patched
    }

    /// zlib's CRC-32 (reflected 0xEDB88320, init and xorout 0xFFFFFFFF).
    private func crc32(_ data: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
