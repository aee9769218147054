// convert: every bad-input kind counted and skipped (and fatal with --strict), the LVIS v1 /
// v0.5 / COCO path variants, resize geometry (boxes and polygons follow the pixels), the
// job-array split + merge giving the same bytes, and resume after a damaged shard.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ConvertTests: XCTestCase {
    /// A COCO json with one good image and one example of each bad-input kind.
    func makeBadInputDataset(_ fixture: PrepFixture) throws -> String {
        let good = PrepFixture.rectangleImage(width: 64, height: 48, x: 10, y: 8, w: 20, h: 16)
        let jpeg = JPEGCodec.encode(good)
        try fixture.write("good.jpg", jpeg)
        try fixture.write("grey.png", TestPNG.make(width: 4, height: 2, bitDepth: 8, colorType: 0, rows: [[1, 2, 3, 4], [5, 6, 7, 8]]))
        try fixture.write("truncated.jpg", Array(JPEGCodec.encode(PrepFixture.rectangleImage(width: 256, height: 256, x: 3, y: 3, w: 200, h: 100))
                                                    .prefix(2000)))
        try fixture.write("corrupt.jpg", [0xFF, 0xD8, 0xFF, 0xC0, 0, 3, 9, 9, 9, 9])
        try fixture.write("cmyk.jpg", TestJPEG.cmykOnePixel)
        try fixture.write("notimage.jpg", Array("hello world".utf8))
        try fixture.write("wrongsize.jpg", jpeg)
        let polygon = "[[10,8,30,8,30,24,10,24]]"
        return try fixture.writeJSON("""
        {"images": [
          {"id": 1, "width": 64, "height": 48, "file_name": "good.jpg"},
          {"id": 2, "width": 4, "height": 2, "file_name": "grey.png"},
          {"id": 3, "width": 256, "height": 256, "file_name": "truncated.jpg"},
          {"id": 4, "width": 64, "height": 48, "file_name": "corrupt.jpg"},
          {"id": 5, "width": 1, "height": 1, "file_name": "cmyk.jpg"},
          {"id": 6, "width": 64, "height": 48, "file_name": "notimage.jpg"},
          {"id": 7, "width": 100, "height": 48, "file_name": "wrongsize.jpg"},
          {"id": 8, "width": 64, "height": 48, "file_name": "missing.jpg"}],
         "annotations": [
          {"id": 1, "image_id": 1, "category_id": 5, "bbox": [10,8,20,16], "area": 320, "iscrowd": 0, "segmentation": \(polygon)},
          {"id": 2, "image_id": 99, "category_id": 5, "bbox": [10,8,20,16], "area": 320, "iscrowd": 0, "segmentation": \(polygon)},
          {"id": 3, "image_id": 1, "category_id": 77, "bbox": [10,8,20,16], "area": 320, "iscrowd": 0, "segmentation": \(polygon)},
          {"id": 4, "image_id": 1, "category_id": 5, "bbox": [50,8,30,16], "area": 320, "iscrowd": 0, "segmentation": \(polygon)},
          {"id": 5, "image_id": 1, "category_id": 5, "bbox": [10,8,0,16], "area": 0, "iscrowd": 0, "segmentation": \(polygon)},
          {"id": 6, "image_id": 1, "category_id": 5, "bbox": [10,8,20,16], "area": 320, "iscrowd": 0, "segmentation": [[10,8,30,8,50,8]]},
          {"id": 7, "image_id": 1, "category_id": 6, "bbox": [0,0,64,48], "area": 10, "iscrowd": 1,
           "segmentation": {"size": [48, 64], "counts": [5, 10, 3057]}},
          {"id": 8, "image_id": 1, "category_id": 6, "bbox": [0,0,64,48], "area": 10, "iscrowd": 1,
           "segmentation": {"size": [40, 64], "counts": [5, 10, 2545]}}],
         "categories": [{"id": 5, "name": "box"}, {"id": 6, "name": "crowd"}]}
        """)
    }

    func testEachBadInputKindIsCountedAndSkipped() throws {
        let fixture = try PrepFixture(name: "bad")
        defer { fixture.remove() }
        let annotations = try makeBadInputDataset(fixture)
        let out = fixture.root + "/out"
        let report = try fixture.convert(annotations, out: out)
        let expected: [ProblemKind: Int] = [
            .missingImage: 1, .corruptImage: 1, .truncatedImage: 1, .cmykImage: 1, .unknownImageFormat: 1,
            .imageSizeMismatch: 1, .unknownImage: 1, .unknownCategory: 1, .boxOutsideImage: 1, .zeroAreaBox: 1,
            .degeneratePolygon: 1, .rleSizeMismatch: 1,
        ]
        for kind in ProblemKind.allCases {
            XCTAssertEqual(report.problems.count(kind), expected[kind] ?? 0, kind.rawValue)
        }
        XCTAssertEqual(report.counts.images, 2)      // good.jpg and grey.png
        XCTAssertEqual(report.counts.instances, 2)   // annotation 1 (polygon) and 7 (crowd RLE)
        XCTAssertEqual(report.counts.crowdInstances, 1)
        let manifest = try ShardManifest.read(directory: out)
        XCTAssertEqual(manifest.skipped["missing-image"], 1)
        XCTAssertEqual(manifest.counts.images, 2)
        XCTAssertTrue(report.problems.lines.contains { $0.hasPrefix("cmyk-image: 1 (e.g. ") && $0.contains("cmyk.jpg") })
        let shards = try ShardDataset(directory: out)
        XCTAssertEqual(shards.count, 2)
        // The grey PNG, re-encoded as JPEG (lossy: within 2 levels).
        let grey = try shards.example(at: 1).image
        XCTAssertLessThanOrEqual(meanAbsoluteDifference(grey, RGBImage(width: 4, height: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8].flatMap { [$0, $0, $0] })), 2)
    }

    func testStrictStopsAtTheFirstBadInput() throws {
        let fixture = try PrepFixture(name: "strict")
        defer { fixture.remove() }
        let annotations = try makeBadInputDataset(fixture)
        XCTAssertThrowsError(try fixture.convert(annotations, out: fixture.root + "/out", strict: true)) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .dataError)
            XCTAssertTrue("\(error)".contains("--strict"), "\(error)")
        }
    }

    func testResizeKeepsBoxesAndPolygonsOnThePixels() throws {
        let fixture = try PrepFixture(name: "resize")
        defer { fixture.remove() }
        // 400x300 image, white rectangle [100, 60] x [300, 180]; fit into short <= 150, long <= 1000.
        try fixture.write("a.png", PNGCodec.encode(PrepFixture.rectangleImage(width: 400, height: 300, x: 100, y: 60, w: 200, h: 120)))
        let annotations = try fixture.writeJSON("""
        {"images": [{"id": 1, "width": 400, "height": 300, "file_name": "a.png"}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [100, 60, 200, 120], "area": 24000, "iscrowd": 0,
                          "segmentation": [[100, 60, 300, 60, 300, 180, 100, 180]]}],
         "categories": [{"id": 1, "name": "white"}]}
        """)
        let out = fixture.root + "/out"
        _ = try fixture.convert(annotations, out: out, maxSize: (150, 1000), encoding: .rawRGB)
        let (image, record) = try ShardDataset(directory: out).example(at: 0)
        XCTAssertEqual(image.width, 200)
        XCTAssertEqual(image.height, 150)
        XCTAssertEqual(record.scaleX, 0.5)
        let box = record.instances[0].box
        XCTAssertEqual(box, BoxXYXY(x1: 50, y1: 30, x2: 150, y2: 90))
        XCTAssertEqual(record.instances[0].segmentation, .polygons([[50, 30, 150, 30, 150, 90, 50, 90]]))
        // Pixels inside the stored box are white, outside black, with the edge exactly on it.
        XCTAssertEqual(image[50, 30], .white); XCTAssertEqual(image[149, 89], .white)
        XCTAssertEqual(image[49, 30], .black); XCTAssertEqual(image[150, 89], .black); XCTAssertEqual(image[50, 90], .black)
        XCTAssertEqual(record.originalBox(box), BoxXYXY(x1: 100, y1: 60, x2: 300, y2: 180))
    }

    func testLVISPathVariantsAreFound() throws {
        let fixture = try PrepFixture(name: "lvis")
        defer { fixture.remove() }
        let jpeg = JPEGCodec.encode(PrepFixture.rectangleImage(width: 32, height: 24, x: 1, y: 1, w: 5, h: 5))
        try fixture.write("train2017/000000000001.jpg", jpeg)
        try fixture.write("000000000002.jpg", jpeg)
        let v1 = try fixture.writeJSON("""
        {"images": [{"id": 1, "width": 32, "height": 24, "coco_url": "http://images.cocodataset.org/train2017/000000000001.jpg",
                     "neg_category_ids": [2], "not_exhaustive_category_ids": []}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "segmentation": [[1,1,6,1,6,6]]}],
         "categories": [{"id": 1, "name": "a", "frequency": "r", "image_count": 3, "instance_count": 4},
                        {"id": 2, "name": "b", "frequency": "f", "image_count": 500, "instance_count": 900}]}
        """, name: "v1.json")
        let v1Report = try fixture.convert(v1, out: fixture.root + "/v1")
        XCTAssertEqual(v1Report.counts.images, 1)
        XCTAssertTrue(v1Report.problems.isEmpty)
        let v1Shards = try ShardDataset(directory: fixture.root + "/v1")
        XCTAssertEqual(v1Shards.manifest.sourceFormat, "lvis-v1")
        XCTAssertEqual(try v1Shards.record(at: 0).negativeClasses, [ClassIndex(1)])
        XCTAssertEqual(v1Shards.categories.map(\.frequency), ["r", "f"])
        XCTAssertEqual(v1Shards.categories.map(\.countsSource), ["json", "json"])
        let v05 = try fixture.writeJSON("""
        {"images": [{"id": 2, "width": 32, "height": 24, "file_name": "COCO_val2014_000000000002.jpg",
                     "neg_category_ids": [], "not_exhaustive_category_ids": [1]}],
         "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "segmentation": [[1,1,6,1,6,6]]}],
         "categories": [{"id": 1, "name": "a", "frequency": "c", "image_count": 30, "instance_count": 40}]}
        """, name: "v05.json")
        let v05Report = try fixture.convert(v05, out: fixture.root + "/v05")
        XCTAssertEqual(v05Report.counts.images, 1)
        let v05Shards = try ShardDataset(directory: fixture.root + "/v05")
        XCTAssertEqual(v05Shards.manifest.sourceFormat, "lvis-v0.5")
        XCTAssertEqual(try v05Shards.record(at: 0).fileName, "000000000002.jpg")
        XCTAssertEqual(try v05Shards.record(at: 0).notExhaustiveClasses, [ClassIndex(0)])
    }

    func testComputedGroupsAndRepeatFactors() {
        XCTAssertEqual(CategoryTable.group(imageCount: 10), .rare)
        XCTAssertEqual(CategoryTable.group(imageCount: 11), .common)
        XCTAssertEqual(CategoryTable.group(imageCount: 100), .common)
        XCTAssertEqual(CategoryTable.group(imageCount: 101), .frequent)
        // f = 10 / 100000 = 1e-4 -> sqrt(0.001 / 1e-4) = sqrt(10).
        XCTAssertEqual(CategoryTable.repeatFactor(imageCount: 10, totalImages: 100_000), 10.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(CategoryTable.repeatFactor(imageCount: 500, totalImages: 1000), 1)
    }

    /// Many small images for the split/resume tests.
    func makeManyImages(_ fixture: PrepFixture, count: Int) throws -> String {
        var images: [String] = [], annotations: [String] = []
        for id in 1...count {
            let image = PrepFixture.rectangleImage(width: 40 + id % 7, height: 30, x: Double(id % 10), y: 2, w: 12, h: 9)
            try fixture.write("\(id).jpg", JPEGCodec.encode(image))
            images.append("{\"id\": \(id), \"width\": \(40 + id % 7), \"height\": 30, \"file_name\": \"\(id).jpg\"}")
            annotations.append("{\"id\": \(id), \"image_id\": \(id), \"category_id\": \(1 + id % 3), \"bbox\": [\(id % 10), 2, 12, 9], \"area\": 108, \"iscrowd\": 0, \"segmentation\": [[\(id % 10),2,\(id % 10 + 12),2,\(id % 10 + 12),11]]}")
        }
        return try fixture.writeJSON("""
        {"images": [\(images.joined(separator: ","))], "annotations": [\(annotations.joined(separator: ","))],
         "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]}
        """)
    }

    func testJobArrayPiecesMergeToTheSameShards() throws {
        let fixture = try PrepFixture(name: "pieces")
        defer { fixture.remove() }
        let annotations = try makeManyImages(fixture, count: 23)
        let single = fixture.root + "/single", split = fixture.root + "/split"
        _ = try fixture.convert(annotations, out: single, maxSize: (20, 30), recordsPerShard: 5)
        for piece in [2, 0] { _ = try fixture.convert(annotations, out: split, maxSize: (20, 30), recordsPerShard: 5, pieces: 3, piece: piece) }
        XCTAssertThrowsError(try ShardMerge.merge(directory: split, verify: true)) { error in
            XCTAssertTrue("\(error)".contains("for I in 1, then"), "\(error)")
        }
        _ = try fixture.convert(annotations, out: split, maxSize: (20, 30), recordsPerShard: 5, pieces: 3, piece: 1)
        let merged = try ShardMerge.merge(directory: split, verify: true)
        let reference = try ShardManifest.read(directory: single)
        XCTAssertEqual(merged.shards, reference.shards)
        XCTAssertEqual(merged.counts, reference.counts)
        XCTAssertEqual(merged.shards.count, 5)
        for shard in merged.shards {
            XCTAssertEqual(FileManager.default.contents(atPath: split + "/" + shard.file),
                           FileManager.default.contents(atPath: single + "/" + shard.file))
        }
        let dataset = try ShardDataset(directory: split)
        XCTAssertEqual(dataset.count, 23)
        // Image id i has category 1 + i % 3, so class c is in records where (i % 3) == c.
        XCTAssertEqual(try dataset.recordsPerClass(), (0..<3).map { c in (0..<23).filter { ($0 + 1) % 3 == c } })
        XCTAssertEqual(dataset.location(of: 12).shard, 2)
        XCTAssertEqual(dataset.location(of: 12).local, 2)
        XCTAssertEqual(try dataset.record(at: 22).imageID, ImageID(23))
    }

    func testRerunKeepsVerifiedShardsAndRedoesDamagedOnes() throws {
        let fixture = try PrepFixture(name: "resume")
        defer { fixture.remove() }
        let annotations = try makeManyImages(fixture, count: 12)
        let out = fixture.root + "/out"
        let first = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(first.shardsWritten, 3)
        let path = out + "/" + ShardFormat.fileName(index: 1)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[ShardFormat.headerSize + 40] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = FileManager.default.contents(atPath: out + "/" + ShardFormat.fileName(index: 0))
        let second = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(second.shardsWritten, 1)
        XCTAssertEqual(second.shardsReused, 2)
        XCTAssertEqual(second.counts.images, 12)
        XCTAssertNoThrow(try ShardReader(path: path).verify())
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/" + ShardFormat.fileName(index: 0)), before)
        // Other settings in the same folder are refused.
        XCTAssertThrowsError(try fixture.convert(annotations, out: out, recordsPerShard: 4))
    }

    /// A stop request (SIGINT / SIGTERM in the command) during the second shard: the first
    /// is kept, the second leaves no file (not even a temporary one), and a re-run reuses the
    /// first and gives the same shards as a run that was never stopped.
    func testAStopDiscardsTheShardInProgressAndARerunFinishes() throws {
        let fixture = try PrepFixture(name: "stop")
        defer { fixture.remove() }
        let annotations = try makeManyImages(fixture, count: 12)
        let straight = fixture.root + "/straight", out = fixture.root + "/out"
        _ = try fixture.convert(annotations, out: straight, recordsPerShard: 5)
        final class Polls: @unchecked Sendable { var count = 0 }
        let polls = Polls()
        XCTAssertThrowsError(try fixture.convert(annotations, out: out, recordsPerShard: 5, stopRequested: {
            polls.count += 1
            return polls.count >= 2 ? 15 : nil
        })) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .terminated)
            XCTAssertEqual((error as? ToolError)?.message.contains("stopped by SIGTERM while writing shard-00001"), true, "\(error)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertTrue(left.contains(ShardFormat.fileName(index: 0)), "\(left)")
        XCTAssertFalse(left.contains { $0.hasPrefix(".") || $0 == ShardFormat.fileName(index: 1) || $0 == ShardManifest.fileName }, "\(left)")
        let rerun = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(rerun.shardsReused, 1)
        XCTAssertEqual(rerun.shardsWritten, 2)
        for unit in 0..<3 {
            XCTAssertEqual(FileManager.default.contents(atPath: out + "/" + ShardFormat.fileName(index: unit)),
                           FileManager.default.contents(atPath: straight + "/" + ShardFormat.fileName(index: unit)), "shard \(unit)")
        }
    }
}
