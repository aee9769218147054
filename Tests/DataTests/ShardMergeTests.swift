// `merge` and convert's re-run take no summary on trust (issue "Hostile input"): a summary
// naming a path, or whose record count, size, counts or skipped images differ from its shard,
// stops merge with the summary named; the re-run redoes such a unit, and a damaged or
// version-1 unit, instead of keeping it (or trapping); a plan claiming 10^15 units fails fast.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardMergeTests: XCTestCase {
    var fixture: PrepFixture!
    var annotations = ""
    var out: String { fixture.root + "/out" }

    override func setUpWithError() throws {
        fixture = try PrepFixture(name: "merge")
        annotations = try makeImages(count: 12)
    }

    override func tearDownWithError() throws { fixture.remove() }

    /// `count` small JPEGs with one rectangle annotation each, classes 1 + id % 3.
    func makeImages(count: Int) throws -> String {
        var images: [String] = [], annotations: [String] = []
        for id in 1...count {
            try fixture.write("\(id).jpg", JPEGCodec.encode(PrepFixture.rectangleImage(width: 40, height: 30, x: Double(id % 10), y: 2, w: 12, h: 9)))
            images.append("{\"id\": \(id), \"width\": 40, \"height\": 30, \"file_name\": \"\(id).jpg\"}")
            annotations.append("{\"id\": \(id), \"image_id\": \(id), \"category_id\": \(1 + id % 3), \"bbox\": [\(id % 10), 2, 12, 9], \"area\": 108, \"iscrowd\": 0, \"segmentation\": [[\(id % 10),2,\(id % 10 + 12),2,\(id % 10 + 12),11]]}")
        }
        return try fixture.writeJSON("""
        {"images": [\(images.joined(separator: ","))], "annotations": [\(annotations.joined(separator: ","))],
         "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]}
        """)
    }

    /// Converts the 12 images into 3 units of 5, 5 and 2 (as a job array of 2 pieces, no manifest).
    func convertPieces() throws {
        for piece in 0..<2 { _ = try fixture.convert(annotations, out: out, recordsPerShard: 5, pieces: 2, piece: piece) }
    }

    /// Edits a JSON file of the folder as a dictionary.
    func editJSON(_ name: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = out + "/" + name
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    func editSummary(_ unit: Int, _ edit: @escaping (inout [String: Any], inout [String: Any]) -> Void) throws {
        try editJSON(ShardFormat.summaryName(index: unit)) { summary in
            var shard = summary["shard"] as! [String: Any], counts = summary["counts"] as! [String: Any]
            edit(&shard, &counts)
            summary["shard"] = shard
            summary["counts"] = counts
        }
    }

    func assertMergeRefuses(_ expected: String, file path: String? = nil, line: UInt = #line) {
        XCTAssertThrowsError(try ShardMerge.merge(directory: out, verify: false), line: line) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains(expected) ?? false, "\(error)", line: line)
            if let path { XCTAssertEqual((error as? ToolError)?.file, path, line: line) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/" + ShardManifest.fileName), line: line)
    }

    func testValidPiecesMerge() throws {
        try convertPieces()
        let manifest = try ShardMerge.merge(directory: out, verify: true)
        XCTAssertEqual(manifest.counts.images, 12)
        XCTAssertEqual(try ShardFolderCheck.run(directory: out, parallelism: Parallelism(threads: 1)).problems, [])
    }

    func testASummaryNamingAPathIsRefused() throws {
        try convertPieces()
        for name in ["../shard-00001.bin", "/tmp/shard-00001.bin", "shard-00000.bin"] {
            try editSummary(1) { shard, _ in shard["file"] = name }
            assertMergeRefuses("names the shard \"\(name)\", expected shard-00001.bin", file: out + "/shard-00001.json")
        }
    }

    func testSummaryCountsThatDisagreeWithTheShardAreRefused() throws {
        try convertPieces()
        try editSummary(0) { shard, _ in shard["records"] = 6 }
        assertMergeRefuses("shard-00000.bin holds 5 records in", file: out + "/shard-00000.json")
        try editSummary(0) { shard, counts in shard["records"] = 5; counts["instances"] = 123_456 }
        assertMergeRefuses("counts differ from shard-00000.bin: instances: 123456 claimed, 5 in the shards")
        try editSummary(0) { _, counts in counts["instances"] = 5; counts["instancesPerClass"] = [2, 1, 2] }
        assertMergeRefuses("instancesPerClass[0]: 2 claimed, 1 in the shards")
    }

    func testSkippedImagesMustAddUpToTheUnit() throws {
        try convertPieces()
        try editJSON(ShardFormat.summaryName(index: 2)) { $0["problems"] = ["counts": ["missing-image": 1], "examples": [:]] }
        assertMergeRefuses("2 records and 1 skipped images, the unit has 2 images")
        try editJSON(ShardFormat.summaryName(index: 2)) { $0["problems"] = ["counts": ["missing-image": Int.max], "examples": [:]] }
        assertMergeRefuses("skipped images")
        try editJSON(ShardFormat.summaryName(index: 2)) { $0["problems"] = ["counts": ["made-up": 0], "examples": [:]] }
        assertMergeRefuses("is not a known kind")
    }

    func testTheSameImagesInTwoUnitsAreRefused() throws {
        try convertPieces()
        try FileManager.default.removeItem(atPath: out + "/shard-00001.bin")
        try FileManager.default.copyItem(atPath: out + "/shard-00000.bin", toPath: out + "/shard-00001.bin")
        let summary = try Data(contentsOf: URL(fileURLWithPath: out + "/shard-00000.json"))
        try summary.write(to: URL(fileURLWithPath: out + "/shard-00001.json"))
        try editSummary(1) { shard, _ in shard["file"] = "shard-00001.bin" }
        assertMergeRefuses("image id 1 does not follow image id 5 of shard-00000.bin", file: out + "/shard-00001.bin")
    }

    func testMergeVerifyComparesTheFileChecksum() throws {
        try convertPieces()
        try editSummary(2) { shard, _ in shard["crc32"] = 12345 }
        XCTAssertNoThrow(try ShardMerge.merge(directory: out, verify: false))
        XCTAssertThrowsError(try ShardMerge.merge(directory: out, verify: true)) { XCTAssertTrue("\($0)".contains("differs from its summary's"), "\($0)") }
    }

    func testAnInconsistentOrHugePlanFailsFast() throws {
        try convertPieces()
        let plan = PrepPlanFile.fileName
        try editJSON(plan) { $0["unitCount"] = 4 }
        assertMergeRefuses("unit count 4, but 12 images in units of 5 make 3")
        try editJSON(plan) { plan in
            plan["unitCount"] = 200_000_000_000_000
            plan["imageCount"] = 1_000_000_000_000_000
        }
        let start = Date()
        assertMergeRefuses("199999999999997 of 200000000000000 shards are not done (first: shard-00003.bin)")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        try editJSON(plan) { plan in
            plan["unitCount"] = 3; plan["imageCount"] = 12
            var settings = plan["settings"] as! [String: Any]
            settings["numPieces"] = 0
            plan["settings"] = settings
        }
        assertMergeRefuses("must be positive")
    }

    func testARerunRedoesVersionOneDamagedAndLyingUnitsInPlace() throws {
        let first = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(first.shardsWritten, 3)
        let originals = try (0..<3).map { try ShardTampering.bytes(out + "/" + ShardFormat.fileName(index: $0)) }
        // Unit 0 as version 1 wrote it (its summary's checksum too), a flipped trailer bit in
        // unit 1, a summary of unit 2 whose counts lie.
        let old = ShardTampering.versionOne(originals[0])
        try ShardTampering.write(old, to: out + "/shard-00000.bin")
        try editSummary(0) { shard, _ in shard["crc32"] = Int(crc32Checksum(old)) }
        var damaged = originals[1]
        damaged[damaged.count - 25] ^= 0x80
        try ShardTampering.write(damaged, to: out + "/shard-00001.bin")
        try editSummary(2) { _, counts in counts["instances"] = 3 }
        let rerun = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(rerun.shardsWritten, 3)
        XCTAssertEqual(rerun.shardsReused, 0)
        for unit in 0..<3 {
            XCTAssertEqual(try ShardTampering.bytes(out + "/" + ShardFormat.fileName(index: unit)), originals[unit], "unit \(unit)")
        }
        XCTAssertEqual(try ShardFolderCheck.run(directory: out, parallelism: Parallelism(threads: 1)).problems, [])
        let third = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(third.shardsReused, 3)
    }

    func testARerunRedoesAUnitHoldingAnotherUnitsImages() throws {
        _ = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        let original = try ShardTampering.bytes(out + "/shard-00001.bin")
        // Unit 1's images are 6-10; put unit 0's shard (1-5) and summary in its place.
        try FileManager.default.removeItem(atPath: out + "/shard-00001.bin")
        try FileManager.default.copyItem(atPath: out + "/shard-00000.bin", toPath: out + "/shard-00001.bin")
        try Data(contentsOf: URL(fileURLWithPath: out + "/shard-00000.json")).write(to: URL(fileURLWithPath: out + "/shard-00001.json"))
        try editSummary(1) { shard, _ in shard["file"] = "shard-00001.bin" }
        let rerun = try fixture.convert(annotations, out: out, recordsPerShard: 5)
        XCTAssertEqual(rerun.shardsWritten, 1)
        XCTAssertEqual(try ShardTampering.bytes(out + "/shard-00001.bin"), original)
    }

    /// The message of a stopped convert used to end "...the shards finished before it are".
    func testAStopSaysTheFinishedShardsAreKept() throws {
        final class Polls: @unchecked Sendable { var count = 0 }
        let polls = Polls()
        XCTAssertThrowsError(try fixture.convert(annotations, out: out, recordsPerShard: 5, stopRequested: {
            polls.count += 1
            return polls.count >= 2 ? 2 : nil
        })) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .interrupted)
            XCTAssertTrue((error as? ToolError)?.message.hasSuffix("(not kept); the shards finished before it are kept") ?? false, "\(error)")
        }
    }
}
