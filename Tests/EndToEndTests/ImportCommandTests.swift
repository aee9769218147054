// `detect-train import` as a user runs it: an mmdetection-layout `.pth` (torch.save, with meta
// CLASSES and config and an optimizer entry: scripts/fixtures/make_import_cli_fixtures.py) ->
// our checkpoint and implied config -> `predict` on COCO-category shards of real photos
// (Tests/Fixtures/coco128-subset) and
// `loce-finetune fit --from` the imported model. Bad files: truncated, not PyTorch, a pickle
// that asks for a callable, a state dict with a tensor missing: exit 1, the problem named,
// nothing written.
import Foundation
import XCTest

final class ImportCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/import").path
    /// Four real photos with their COCO annotations and all 80 categories (Tests/Fixtures/README.md).
    static let coco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/coco128-subset").path
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "import-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    var annotations: String { Self.coco + "/annotations/instances_train2017.json" }

    func importTiny(_ extra: [String] = []) throws -> ToolRun {
        try ToolRunner.run("detect-train", ["import", "--from", Self.fixtures + "/tiny_mmdet.pth", "--format", "mmdet",
                                            "--categories", annotations, "--out", scratch + "/model.safetensors",
                                            "--config-out", scratch + "/model.json"] + extra)
    }

    func testImportPredictAndFineTuneFromTheImportedModel() throws {
        let imported = try importTiny()
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stderr.contains("mask classifier normed"), imported.stderr)
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch + "/model.json")))
            as? [String: Any])
        let backbone = try XCTUnwrap(config["backbone"] as? [String: Any])
        XCTAssertEqual(backbone["stageBlocks"] as? [Int], [1, 1, 1, 1])
        XCTAssertEqual(backbone["stageWidths"] as? [Int], [16, 32, 64, 128])
        XCTAssertEqual((config["roiHeads"] as? [String: Any])?["numClasses"] as? Int, 80)

        // Shards of the real photos with their COCO categories (the model's table).
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", Self.coco + "/train2017",
                                                       "--out", scratch + "/shards", "--max-size", "160,200", "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let gt = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: annotations))) as? [String: Any])
        let ids = Set((gt["images"] as! [[String: Any]]).map { $0["id"] as! Int })
        let predict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", scratch + "/model.safetensors",
                                                          "--data", scratch + "/shards", "--set", "test.scoreThreshold=0.0"])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        let categoryIDs = Set((gt["categories"] as! [[String: Any]]).map { $0["id"] as! Int })
        XCTAssertTrue(results.allSatisfy { categoryIDs.contains($0["category_id"] as! Int) && ids.contains($0["image_id"] as! Int) })

        // Stage 2 from the imported model: its implied config is the base of the stage-2 config.
        let stageTwo = scratch + "/stage2.json"
        let document: [String: Any] = [
            "base": [scratch + "/model.json", FastConfig.configs + "/parts/loce.json"],
            "rpn": ["train": ["preNMSTopK": 300, "postNMSTopK": 100], "test": ["preNMSTopK": 300, "postNMSTopK": 100]],
            "solver": ["imagesPerBatch": 2, "unit": "iterations", "length": 4, "decaySteps": [3], "warmupIterations": 1,
                       "checkpointPeriod": 2],
            "loce": ["warmupImagesPerCategory": 1],
        ]
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: stageTwo))
        let fit = try ToolRunner.run("loce-finetune", ["fit", "--config", stageTwo, "--from", scratch + "/model.safetensors",
                                                       "--train", scratch + "/shards", "--out", scratch + "/loce", "--iterations", "2",
                                                       "--threads", "2"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch + "/loce/checkpoint.safetensors"))
    }

    func testBadFilesAreNamedAndNothingIsWritten() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/tiny_mmdet.pth"))
        let truncated = scratch + "/truncated.pth"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let notTorch = scratch + "/not-torch.pth"
        try Data("model = dict(type='MaskRCNN')\n".utf8).write(to: URL(fileURLWithPath: notTorch))
        // A protocol-2 pickle whose only content is a call of os.system (never run: refused by name).
        let hostile = scratch + "/hostile.pkl"
        let call: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\nq\u{0}X\u{4}\u{0}\u{0}\u{0}trueq\u{1}".utf8) + [0x85]
            + Array("q\u{2}Rq\u{3}.".utf8)
        try Data(call).write(to: URL(fileURLWithPath: hostile))
        for (file, expected) in [(truncated, "truncated.pth"), (notTorch, "not-torch.pth"), (hostile, "os.system")] {
            let run = try ToolRunner.run("detect-train", ["import", "--from", file, "--format", "mmdet", "--mask-classifier", "normed",
                                                          "--out", scratch + "/out.safetensors"])
            XCTAssertEqual(run.status, 1, "\(file): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(expected), "\(file): \(run.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/out.safetensors"), file)
        }
        // A category table of another size is refused, naming both counts.
        let wrong = scratch + "/three.json"
        try Data(#"{"images": [], "annotations": [], "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: wrong))
        let run = try ToolRunner.run("detect-train", ["import", "--from", Self.fixtures + "/tiny_mmdet.pth", "--format", "mmdet",
                                                      "--categories", wrong, "--out", scratch + "/out.safetensors"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("3 categories") && run.stderr.contains("80"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/out.safetensors"))
    }

    /// An mmdetection file given as torchvision's: refused naming the key torchvision's layout
    /// needs, nothing written. (torchvision's own layout is tested against torchvision in
    /// DetectionTests/TorchvisionParityTests: a torchvision R-50 .pth is 178 MB.)
    func testAnMMDetectionFileIsNotATorchvisionOne() throws {
        let run = try ToolRunner.run("detect-train", ["import", "--from", Self.fixtures + "/tiny_mmdet.pth", "--format", "torchvision",
                                                      "--out", scratch + "/out.safetensors"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("roi_heads.box_predictor.cls_score.weight") && run.stderr.contains("--format"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/out.safetensors"))
    }
}
