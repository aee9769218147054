// A manifest is a claim, the shards are the facts (issue "Hostile input"): every reader
// refuses a shard list with a name twice, a path out of the folder or record counts that do
// not add up, a bad category table or another version; `verify` recounts everything.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ShardFolderCheckTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "shard-folder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(directory + "/shards")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    var folder: String { directory + "/shards" }

    /// Two shards (ids 1-3 and 4-5, classes id % 3) and a manifest with the true counts.
    @discardableResult
    func writeFolder(_ edit: (inout ShardManifest) -> Void = { _ in }) throws -> ShardManifest {
        var counts = ShardCounts()
        var summaries: [ShardFileSummary] = []
        for (unit, ids) in [Array(1...3), Array(4...5)].enumerated() {
            let records = ids.map { ShardTampering.record(id: $0, classIndex: $0 % 3) }
            records.forEach { counts.add($0) }
            summaries.append(try ShardTampering.writeShard(records, to: folder + "/" + ShardFormat.fileName(index: unit)))
        }
        let categories = (0..<3).map {
            ShardCategory(index: $0, id: 10 * ($0 + 1), name: "c\($0)", frequency: "f", imageCount: 2, instanceCount: 2, repeatFactor: 1,
                          countsSource: "computed")
        }
        let settings = ConvertSettings(annotations: "a.json", images: "images", split: "train", encoding: "raw", maxShortSide: nil,
                                       maxLongSide: nil, jpegQuality: 90, recordsPerShard: 3, numPieces: 1)
        var manifest = ShardManifest(split: "train", sourceFormat: "lvis-v1", settings: settings, counts: counts, categories: categories,
                                     shards: summaries, skipped: [:])
        edit(&manifest)
        try manifest.write(to: folder)
        return manifest
    }

    func check() throws -> ShardFolderCheck { try ShardFolderCheck.run(directory: folder, parallelism: Parallelism(threads: 2)) }

    /// Every reader of the folder (dataset, inspect, verify) refuses it with `expected` in the message.
    func assertEveryReaderRefuses(_ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let openers: [(String, () throws -> Void)] = [("dataset", { _ = try ShardDataset(directory: self.folder) }),
                                                      ("inspect", { _ = try ShardInspection.open(directory: self.folder) }),
                                                      ("verify", { _ = try self.check() })]
        for (name, open) in openers {
            XCTAssertThrowsError(try open(), name, file: file, line: line) { error in
                XCTAssertTrue((error as? ToolError)?.message.contains(expected) ?? false, "\(name): \(error)", file: file, line: line)
                XCTAssertNotNil((error as? ToolError)?.file, name, file: file, line: line)
            }
        }
    }

    func testAValidFolderVerifies() throws {
        try writeFolder()
        let check = try check()
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.records, 5)
        XCTAssertEqual(check.shards, 2)
        XCTAssertEqual(try ShardDataset(directory: folder).count, 5)
    }

    func testAShardListedTwiceIsRefused() throws {
        try writeFolder { manifest in
            manifest.shards.append(manifest.shards[0])
            manifest.counts.add(manifest.counts)
        }
        assertEveryReaderRefuses("shard-00000.bin is listed twice (shards[0] and shards[2])")
    }

    func testNamesOutsideTheFolderAreRefused() throws {
        for name in ["../shard-00000.bin", "/etc/passwd", "", ".", "..", "sub/shard-00000.bin"] {
            try writeFolder { $0.shards[0].file = name }
            assertEveryReaderRefuses("is not a file name inside the folder")
        }
        // A link to a file outside the folder.
        try writeFolder()
        try FileManager.default.moveItem(atPath: folder + "/shard-00000.bin", toPath: directory + "/outside.bin")
        XCTAssertEqual(symlink(directory + "/outside.bin", folder + "/shard-00000.bin"), 0)
        assertEveryReaderRefuses("outside the shard folder")
    }

    func testCountsThatDisagreeWithTheShardListAreRefused() throws {
        try writeFolder { $0.counts.images = 123_456 }
        assertEveryReaderRefuses("counts.images is 123456, the shard list holds 5 records")
        try writeFolder { $0.shards = [] }
        assertEveryReaderRefuses("counts.images is 5, the shard list holds 0 records")
        // A listed record count that the shard does not hold: dataset and inspect refuse the
        // folder, verify reports the shard and goes on.
        try writeFolder { $0.shards[1].records = 4; $0.counts.images = 7 }
        XCTAssertThrowsError(try ShardDataset(directory: folder)) { XCTAssertTrue("\($0)".contains("holds 2 records in"), "\($0)") }
        XCTAssertThrowsError(try ShardInspection.open(directory: folder)) { XCTAssertTrue("\($0)".contains("holds 2 records in"), "\($0)") }
        let check = try check()
        XCTAssertEqual(check.badShards, 1)
        XCTAssertTrue(check.problems.first?.contains("the manifest says 4 in") ?? false, "\(check.problems)")
    }

    func testVerifyRecountsInstancesAndClassesFromTheRecords() throws {
        try writeFolder { $0.counts.instancesPerClass[1] += 5; $0.counts.crowdInstances = 2 }
        let check = try check()
        XCTAssertEqual(check.badShards, 0)
        XCTAssertEqual(check.problems.count, 1)
        XCTAssertTrue(check.problems[0].contains("crowdInstances: 2 claimed, 0 in the shards"), check.problems[0])
        XCTAssertTrue(check.problems[0].contains("instancesPerClass[1]: 7 claimed, 2 in the shards"), check.problems[0])
        XCTAssertTrue(check.problems[0].contains("manifest.json"), check.problems[0])
    }

    func testTheSameRecordsUnderTwoNamesAreCaughtByTheImageOrder() throws {
        try writeFolder()
        try FileManager.default.copyItem(atPath: folder + "/shard-00000.bin", toPath: folder + "/shard-00002.bin")
        var manifest = try ShardManifest.read(directory: folder)
        var copy = manifest.shards[0]
        copy.file = "shard-00002.bin"
        manifest.shards.append(copy)
        manifest.counts.add(try ShardReader(path: folder + "/shard-00000.bin", categoryCount: 3).scanContents().counts)
        try manifest.write(to: folder)
        let check = try check()
        XCTAssertEqual(check.problems.count, 1, "\(check.problems)")
        XCTAssertTrue(check.problems.first?.contains("image id 1 does not follow image id 5 of shard-00001.bin") ?? false, "\(check.problems)")
    }

    func testADamagedShardIsReportedAndTheOthersStillChecked() throws {
        try writeFolder()
        let path = folder + "/shard-00000.bin"
        var bytes = try ShardTampering.bytes(path)
        bytes[bytes.count - 30] ^= 0x01
        try ShardTampering.write(bytes, to: path)
        let check = try check()
        XCTAssertEqual(check.badShards, 1)
        XCTAssertEqual(check.records, 2)
        XCTAssertTrue(check.problems.first?.contains("trailer checksum mismatch") ?? false, "\(check.problems)")
        XCTAssertTrue(check.problems.first?.contains(path) ?? false, "\(check.problems)")
    }

    func testAFileChecksumThatDiffersFromTheManifestIsReported() throws {
        try writeFolder { $0.shards[1].crc32 ^= 1 }
        let check = try check()
        XCTAssertEqual(check.badShards, 1)
        XCTAssertTrue(check.problems.first?.contains("differs from the manifest's") ?? false, "\(check.problems)")
    }

    func testRecordsPastTheCategoryTableAreRefusedThroughTheDataset() throws {
        // The manifest's counts are those of a valid folder; only the record is crafted.
        try writeFolder()
        let honest = try ShardManifest.read(directory: folder)
        try writeFolder { $0.categories.removeLast(); $0.counts = honest.counts; $0.counts.instancesPerClass.removeLast(); $0.counts.imagesPerClass.removeLast() }
        let dataset = try ShardDataset(directory: folder)
        XCTAssertThrowsError(try dataset.example(at: 1)) { error in
            XCTAssertEqual((error as? ToolError)?.record, "record 1 (image id 2)")
            XCTAssertTrue("\(error)".contains("class index 2 is outside the category table (2 categories)"), "\(error)")
        }
        XCTAssertThrowsError(try dataset.recordsPerClass())
        XCTAssertTrue(try check().problems.first?.contains("class index 2 is outside") ?? false)
    }

    func testCategoryTablesThatAreNotIndexedByRowAreRefused() throws {
        try writeFolder { $0.categories[1].index = 5 }
        assertEveryReaderRefuses("index 5, expected 1")
        try writeFolder { $0.categories[2].index = -1 }
        assertEveryReaderRefuses("index -1, expected 2")
        try writeFolder { $0.categories[2].id = 10 }
        assertEveryReaderRefuses("category id 10 is also in categories[0]")
        try writeFolder { $0.categories[0].frequency = "x" }
        assertEveryReaderRefuses("frequency \"x\" is not r, c or f")
        try writeFolder { $0.counts.instancesPerClass += [0, 0] }
        assertEveryReaderRefuses("counts.instancesPerClass has 5 entries for 3 categories")
    }

    func testAVersionOneFolderAsksToReconvertNamingTheFile() throws {
        try writeFolder { $0.version = 1 }
        assertEveryReaderRefuses("shard format version 1 (made by an older lvis-prep)")
        XCTAssertThrowsError(try ShardDataset(directory: folder)) { error in
            XCTAssertEqual((error as? ToolError)?.file, self.folder + "/manifest.json")
            XCTAssertEqual((error as? ToolError)?.hint, ShardFormat.reconvertHint)
        }
        // A version-2 manifest listing a version-1 shard (an old piece) names the shard.
        try writeFolder()
        let path = folder + "/shard-00001.bin"
        try ShardTampering.write(ShardTampering.versionOne(try ShardTampering.bytes(path)), to: path)
        XCTAssertThrowsError(try ShardDataset(directory: folder)) { error in
            XCTAssertEqual((error as? ToolError)?.file, path)
            XCTAssertEqual((error as? ToolError)?.hint, ShardFormat.reconvertHint)
        }
    }
}
