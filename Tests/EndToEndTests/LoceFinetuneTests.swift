// loce-finetune run as a user runs it: synth -> convert -> detect-train fit a few iterations ->
// loce-finetune fit a few iterations (memory size reported, log with the group mean scores)
// -> --resume continues -> detect-train predict reads the checkpoint unchanged; the ablation
// switches run; usage errors exit 64.
import Foundation
import XCTest

final class LoceFinetuneTests: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "loce-finetune-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    /// `preset` made fast (`FastConfig`), written into the scratch folder.
    func fastConfig(_ preset: String) throws -> String {
        try FastConfig.write(preset, into: scratch)
    }

    func testSynthConvertBaselineFinetunePredict() throws {
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "8", "--val-images", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for split in ["train", "val"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_\(split).json", "--images", synth,
                                                        "--out", scratch + "/" + split, "--max-size", "128,160", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let train = scratch + "/train", val = scratch + "/val"
        let baseline = try ToolRunner.run("detect-train", ["fit", "--config", try fastConfig("smoke"), "--train", train,
                                                           "--out", scratch + "/baseline", "--iterations", "1", "--threads", "2", "--quiet"])
        XCTAssertEqual(baseline.status, 0, baseline.stderr)
        let base = scratch + "/baseline/checkpoint.safetensors"
        // A stage-1 config (no loce section) is a usage error.
        let stageOne = try ToolRunner.run("loce-finetune", ["fit", "--config", try fastConfig("smoke"), "--from", base, "--train", train,
                                                            "--out", scratch + "/wrong", "--quiet"])
        XCTAssertEqual(stageOne.status, 64, stageOne.stderr)
        XCTAssertTrue(stageOne.stderr.contains("no loce section"), stageOne.stderr)
        let config = try fastConfig("smoke-loce")
        let out = scratch + "/loce"
        let fit = try ToolRunner.run("loce-finetune", ["fit", "--config", config, "--from", base, "--train", train, "--out", out,
                                                       "--iterations", "2", "--threads", "2"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        XCTAssertTrue(fit.stderr.contains("feature memory:") && fit.stderr.contains("MiB"), fit.stderr)
        XCTAssertTrue(fit.stderr.contains("warm-up:"), fit.stderr)
        let log = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 2)
        let line = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(log[1].utf8)) as? [String: Any])
        for key in ["iteration", "lr", "loss_cls", "loss_bbox", "loss_mask", "loss", "memory_samples"] {
            XCTAssertNotNil(line[key], key)
        }
        XCTAssertTrue(line.keys.contains { $0.hasPrefix("mean_score_") }, "\(line)")
        // Continue to 3 iterations.
        let resumed = try ToolRunner.run("loce-finetune", ["fit", "--config", config, "--from", base, "--train", train, "--out", out,
                                                           "--iterations", "3", "--threads", "2", "--resume", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n").count, 3)
        // A fresh run into a folder with a checkpoint is refused.
        let again = try ToolRunner.run("loce-finetune", ["fit", "--config", config, "--from", base, "--train", train, "--out", out, "--quiet"])
        XCTAssertEqual(again.status, 64, again.stderr)
        // The ablation switches run and are recorded in the resolved config.
        let ablation = try ToolRunner.run("loce-finetune", ["fit", "--config", config, "--from", base, "--train", train,
                                                            "--out", scratch + "/ce", "--iterations", "1", "--no-ebl", "--no-mfs", "--quiet"])
        XCTAssertEqual(ablation.status, 0, ablation.stderr)
        let resolved = try String(contentsOfFile: scratch + "/ce/config.json", encoding: .utf8)
        XCTAssertTrue(resolved.contains("\"equilibriumLoss\" : false") && resolved.contains("\"memorySampling\" : false"), resolved)
        // detect-train predict runs the fine-tuned checkpoint unchanged.
        let predict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", out + "/checkpoint.safetensors", "--data", val,
                                                          "--threads", "2", "--quiet"])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
    }

    func testUsageErrorsExit64() throws {
        let cases: [[String]] = [
            ["fit", "--train", "t", "--out", "o", "--from", "b"],
            ["fit", "--config", "c", "--train", "t", "--out", "o"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--iterations", "0"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--loss", "focal"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--loss", "seesaw", "--no-ebl"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--val", "v"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--val-every", "5"],
            ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", "--val", "v", "--val-gt", "g", "--best-metric", "AR"],
            ["tune"],
        ]
        for arguments in cases {
            let run = try ToolRunner.run("loce-finetune", arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("loce-finetune: error:"), run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
        // Negative numbers are values, not flags: the message is about the value.
        for (option, value) in [("--iterations", "-3"), ("--threads", "-2")] {
            let run = try ToolRunner.run("loce-finetune", ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", "o", option, value])
            XCTAssertEqual(run.status, 64, run.stderr)
            XCTAssertTrue(run.stderr.contains("\(option) must be at least 1 (got \(value))"), run.stderr)
        }
        let emptyOut = try ToolRunner.run("loce-finetune", ["fit", "--config", "c", "--from", "b", "--train", "t", "--out", ""])
        XCTAssertEqual(emptyOut.status, 64, emptyOut.stderr)
        XCTAssertTrue(emptyOut.stderr.contains("--out must name a folder"), emptyOut.stderr)
        let help = try ToolRunner.run("loce-finetune", ["fit", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--no-ebl") && help.stdout.contains("--no-mfs") && help.stdout.contains("--from"), help.stdout)
        // Every loss is listed with its reference; the validation options are documented.
        for loss in ["ebl", "ce", "seesaw", "eqlv2", "ecm", "federated"] { XCTAssertTrue(help.stdout.contains("  \(loss) "), loss) }
        for reference in ["fcjian/LOCE", "seesaw_loss.py", "tztztztztz/eqlv2", "ECM-Loss", "USE_FED_LOSS", "--val-gt", "--best-metric"] {
            XCTAssertTrue(help.stdout.contains(reference), reference)
        }
    }
}
