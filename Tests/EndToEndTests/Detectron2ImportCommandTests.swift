// `detect-train import --format detectron2` as a user runs it: a model-zoo style `.pkl`
// ({"model": {name: numpy array}, "__author__"}, running variances float64) and a
// Checkpointer `.pth` ({"model": state_dict, "iteration"}) of the same toy weights
// (scripts/fixtures/make_detectron2_cli_fixtures.py) -> the same checkpoint, whose implied
// config is detectron2's -> `predict` on shards of real photos. Bad input: an mmdetection file
// as detectron2 and a detectron2 file as mmdetection or torchvision: exit 1, the keys named,
// nothing written (missing, unexpected and misshapen tensors and norms our model lacks are
// refused by the layout itself, DetectionTests/Detectron2ImportTests).
import Foundation
import XCTest

final class Detectron2ImportCommandTests: XCTestCase {
    static let fixtures = ImportCommandTests.fixtures
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "d2-import-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    func runImport(_ file: String, format: String = "detectron2", out: String, _ extra: [String] = []) throws -> ToolRun {
        try ToolRunner.run("detect-train", ["import", "--from", file, "--format", format, "--out", out] + extra)
    }

    func testPklAndPthImportToTheSameModelThatPredicts() throws {
        // The same file name (the checkpoint records it) in two folders: the outputs must be equal bytes.
        for (folder, source) in [("pkl", "tiny_detectron2.pkl"), ("pth", "tiny_detectron2.pth")] {
            try FileManager.default.createDirectory(atPath: "\(scratch)/\(folder)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(Self.fixtures)/\(source)", toPath: "\(scratch)/\(folder)/tiny_detectron2")
            let run = try runImport("\(scratch)/\(folder)/tiny_detectron2", out: "\(scratch)/\(folder)/model.safetensors",
                                    ["--config-out", "\(scratch)/\(folder)/model.json"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stderr.contains("stride in the 1x1 conv") && run.stderr.contains("80 classes"), run.stderr)
        }
        let pkl = try Data(contentsOf: URL(fileURLWithPath: scratch + "/pkl/model.safetensors"))
        XCTAssertEqual(pkl, try Data(contentsOf: URL(fileURLWithPath: scratch + "/pth/model.safetensors")))
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch + "/pkl/model.json")))
            as? [String: Any])
        let backbone = try XCTUnwrap(config["backbone"] as? [String: Any])
        XCTAssertEqual(backbone["strideInFirstConv"] as? Bool, true)
        XCTAssertEqual(backbone["stageWidths"] as? [Int], [16, 32, 64, 128])
        XCTAssertEqual((config["test"] as? [String: Any])?["postProcessing"] as? String, "detectron2")
        XCTAssertEqual((config["input"] as? [String: Any])?["pixelStd"] as? [Double], [1, 1, 1])

        let coco = ImportCommandTests.coco, annotations = coco + "/annotations/instances_train2017.json"
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", coco + "/train2017",
                                                       "--out", scratch + "/shards", "--max-size", "160,200", "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let predict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", scratch + "/pkl/model.safetensors",
                                                          "--data", scratch + "/shards", "--set", "test.scoreThreshold=0.0"])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
    }

    func testOtherFrameworksFilesAndBadTensorsAreRefused() throws {
        let out = scratch + "/out.safetensors"
        let cases: [(file: String, format: String, expected: [String])] = [
            (Self.fixtures + "/tiny_mmdet.pth", "detectron2", ["roi_heads.box_predictor.cls_score.weight", "--format mmdet"]),
            (Self.fixtures + "/tiny_detectron2.pkl", "mmdet", ["roi_head.bbox_head.fc_cls.weight"]),
            (Self.fixtures + "/tiny_detectron2.pth", "torchvision", ["backbone.body.conv1.weight"]),
        ]
        for (file, format, expected) in cases {
            let run = try runImport(file, format: format, out: out, format == "mmdet" ? ["--mask-classifier", "linear"] : [])
            XCTAssertEqual(run.status, 1, "\(file) as \(format): \(run.stderr)")
            for text in expected { XCTAssertTrue(run.stderr.contains(text), "\(file) as \(format): \(run.stderr)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
        let flag = try runImport(Self.fixtures + "/tiny_detectron2.pkl", out: out, ["--mask-classifier", "normed"])
        XCTAssertEqual(flag.status, 64, flag.stderr)  // a usage error
        XCTAssertTrue(flag.stderr.contains("--mask-classifier"), flag.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
