// Validation during training (`fit --val`, `FitValidation` + `TrainingValidation`) on the tiny
// shards, evaluated against their own annotations: a "val" line after every N iterations and
// after the last, with the eight box / mask stats; OUT/best.safetensors is the checkpoint of
// the iteration whose mask AP was highest; a resumed run keeps the earlier best; and the
// training itself is bit-identical with validation or without.
import XCTest
import Foundation
@testable import SharedLongTail
@testable import SharedDetection
import SharedData
import SharedNN
import SharedSupport
import TestFixtures

final class FitValidationTests: XCTestCase {
    func validation(_ folder: String, shards: String, out: String) throws -> FitValidation {
        let gt = try RectangleShards.writeGroundTruth(in: folder, frequencies: ["r", "c", "f"])
        return try TrainingValidation.make(shards: shards, groundTruth: gt, every: 2, bestMetric: "AP", outputDirectory: out,
                                           trainingCategoryIDs: RectangleShards.categoryIDs, batchSize: 1, threads: 1)
    }

    func valLines(_ out: String) throws -> [[String: Any]] {
        try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["val"] != nil }
    }

    func testValidationLinesBestCheckpointAndUnchangedTraining() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("validation")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        let out = folder + "/val"
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: out, stopAfter: 3,
                                                                       validation: try validation(folder, shards: shards, out: out))))
        let lines = try valLines(out)
        XCTAssertEqual(lines.map { ($0["iteration"] as? NSNumber)?.intValue }, [2, 3])
        var best = (value: -1.0, iteration: 0)
        for line in lines {
            let val = try XCTUnwrap(line["val"] as? [String: Any])
            XCTAssertEqual(Set(val.keys), Set(["bbox", "segm"].flatMap { t in ["AP", "APr", "APc", "APf"].map { "\(t)_\($0)" } }))
            for (key, value) in val {
                guard let number = (value as? NSNumber)?.doubleValue else { XCTAssert(value is NSNull, key); continue }
                XCTAssert((0...1).contains(number), "\(key) \(number)")
            }
            let ap = try XCTUnwrap((val["segm_AP"] as? NSNumber)?.doubleValue)
            if ap > best.value { best = (ap, (line["iteration"] as! NSNumber).intValue) }
        }
        XCTAssert(FileManager.default.fileExists(atPath: out + "/val-detections.json"))
        let bestFile = try SafetensorsFile.read(from: out + "/best.safetensors")
        XCTAssertEqual(bestFile["state.step"]?.int64Values().first.map(Int.init), best.iteration)

        // The same run without validation: the same checkpoint, tensor for tensor.
        let plain = folder + "/plain"
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: plain, stopAfter: 3)))
        let a = try SafetensorsFile.read(from: out + "/" + DetectorCheckpoint.fileName)
        let b = try SafetensorsFile.read(from: plain + "/" + DetectorCheckpoint.fileName)
        XCTAssertEqual(Set(a.names), Set(b.names))
        for name in a.names { XCTAssertEqual(a[name], b[name], "\(name) differs with validation on") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: plain + "/best.safetensors"))

        // Resumed at 2 (validated there) to 3: the earlier lines stay, 3 is validated again,
        // and best.safetensors is rewritten only if 3 beats 2.
        let resumed = folder + "/resumed"
        let validation = try validation(folder, shards: shards, out: resumed)
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: resumed, stopAfter: 2, validation: validation)))
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: resumed, resume: true, stopAfter: 3,
                                                                       validation: validation)))
        XCTAssertEqual(try valLines(resumed).map { ($0["iteration"] as? NSNumber)?.intValue }, [2, 3])
        XCTAssertEqual(try SafetensorsFile.read(from: resumed + "/best.safetensors")["state.step"]?.int64Values().first.map(Int.init), best.iteration)
    }

    func testOtherCategoriesInTheValidationShardsAreRefused() throws {
        let folder = try FinetuneFixture.temporaryDirectory("validation-refused")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let shards = try FinetuneFixture.writeShards(in: folder)
        XCTAssertThrowsError(try TrainingValidation.make(shards: shards, groundTruth: folder + "/gt.json", every: 1, bestMetric: "APr",
                                                         outputDirectory: folder, trainingCategoryIDs: [10, 20, 31], batchSize: 1,
                                                         threads: 1)) { error in
            XCTAssert("\(error)".contains("another category table"), "\(error)")
        }
    }
}
