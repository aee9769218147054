// LOCE_ISA as a user meets it: `--version` of every tool names the vector code path and how
// it was chosen; an unknown path, or one above what the CPU runs, is refused at start (exit
// 64, a message naming LOCE_ISA and the values that work, never an illegal instruction);
// and training and prediction give the same bytes on every path the host runs.
import Foundation
import XCTest

final class VectorISASwitchTests: XCTestCase {
    static let tools = ["lvis-prep", "detect-train", "loce-finetune", "detect-eval"]
    static let paths = ["baseline", "avx2", "avx512"]

    /// The best path of this host, read from `--version` ("CPU: ... (runs up to avx2), ...").
    private func hostBest() throws -> String {
        let run = try ToolRunner.run("detect-eval", ["--version"], environment: ["LOCE_ISA": nil])
        XCTAssertEqual(run.status, 0, run.stderr)
        let best = Self.paths.first { run.stdout.contains("(runs up to \($0))") }
        return try XCTUnwrap(best, run.stdout)
    }

    /// The paths this host runs, lowest first.
    private func hostPaths() throws -> [String] {
        let best = try hostBest()
        return Array(Self.paths[...Self.paths.firstIndex(of: best)!])
    }

    func testVersionNamesThePathAndHowItWasChosen() throws {
        let best = try hostBest()
        for tool in Self.tools {
            let automatic = try ToolRunner.run(tool, ["--version"], environment: ["LOCE_ISA": nil])
            XCTAssertEqual(automatic.status, 0, "\(tool): \(automatic.stderr)")
            XCTAssert(automatic.stdout.contains("Vector code path: \(best) (best this CPU runs)"), automatic.stdout)
            let lowered = try ToolRunner.run(tool, ["--version"], environment: ["LOCE_ISA": "baseline"])
            XCTAssertEqual(lowered.status, 0, "\(tool): \(lowered.stderr)")
            XCTAssert(lowered.stdout.contains("Vector code path: baseline (from LOCE_ISA=baseline; this CPU runs up to \(best))"),
                      lowered.stdout)
        }
    }

    func testHelpDocumentsLOCEISA() throws {
        for tool in Self.tools {
            let run = try ToolRunner.run(tool, ["--help"])
            XCTAssertEqual(run.status, 0, "\(tool): \(run.stderr)")
            XCTAssert(run.stdout.contains("LOCE_ISA=baseline|avx2|avx512"), "\(tool) help: \(run.stdout)")
        }
    }

    func testUnknownPathIsRefusedAtStart() throws {
        for tool in Self.tools {
            let run = try ToolRunner.runBounded(tool, ["--version"], environment: ["LOCE_ISA": "sse9"])
            ToolRunner.assertCleanRefusal(run, status: 64, mentions: ["\(tool): error: LOCE_ISA=sse9 is not a code path",
                                                                       "hint: unset LOCE_ISA"], "\(tool) LOCE_ISA=sse9")
            print("\(tool) --version with LOCE_ISA=sse9: \(run.summary)")
            XCTAssertEqual(run.stdout, "", tool)
        }
    }

    /// A path above the CPU's: avx512 on an AVX2 machine (avx2 and avx512 on one without
    /// AVX2) is refused before any kernel runs; on an AVX-512 machine every path is accepted.
    func testPathAboveTheCPUIsRefusedAtStart() throws {
        let supported = try hostPaths()
        for path in Self.paths {
            let run = try ToolRunner.runBounded("detect-train", ["predict", "--checkpoint", "/nonexistent/checkpoint.safetensors",
                                                                 "--data", "/nonexistent"], environment: ["LOCE_ISA": path])
            if supported.contains(path) {
                // Accepted: the run goes on and fails later on the missing checkpoint (exit 74).
                XCTAssertEqual(run.status, 74, "LOCE_ISA=\(path): \(run.summary)")
                XCTAssertFalse(run.stderr.contains("LOCE_ISA"), run.stderr)
            } else {
                ToolRunner.assertCleanRefusal(run, status: 64, mentions: [
                    "detect-train: error: LOCE_ISA=\(path) asks for a code path this CPU (or OS) does not run; it runs up to \(supported.last!)",
                    "hint: unset LOCE_ISA, or set it to one of: \(supported.joined(separator: ", "))"], "LOCE_ISA=\(path)")
                print("detect-train predict with LOCE_ISA=\(path): \(run.summary)")
            }
        }
    }

    /// Two iterations of the smoke network and a prediction on every path the host runs:
    /// the checkpoints and detections are the same bytes (the kernels are bit-identical).
    func testTrainingAndPredictionGiveTheSameBytesOnEveryPath() throws {
        let scratch = NSTemporaryDirectory() + "vector-isa-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "3", "--train-images", "4", "--val-images", "2",
                                                    "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for split in ["train", "val"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_\(split).json", "--images", synth,
                                                        "--out", scratch + "/" + split, "--max-size", "128,160", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let config = try FastConfig.write("smoke", into: scratch)
        var outputs: [String: (checkpoint: Data, detections: String)] = [:]
        for path in try hostPaths() {
            let out = scratch + "/\(path)"
            let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", scratch + "/train", "--out", out,
                                                          "--iterations", "2", "--threads", "2", "--quiet"],
                                         environment: ["LOCE_ISA": path])
            XCTAssertEqual(fit.status, 0, "\(path): \(fit.stderr)")
            let predict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", out + "/checkpoint.safetensors",
                                                              "--data", scratch + "/val", "--threads", "2", "--quiet"],
                                             environment: ["LOCE_ISA": path])
            XCTAssertEqual(predict.status, 0, "\(path): \(predict.stderr)")
            let checkpoint = try Data(contentsOf: URL(fileURLWithPath: out + "/checkpoint.safetensors"))
            XCTAssertGreaterThan(checkpoint.count, 0)
            outputs[path] = (checkpoint, predict.stdout)
        }
        let baseline = try XCTUnwrap(outputs["baseline"])
        XCTAssertTrue(baseline.detections.hasPrefix("["), baseline.detections.prefix(200).description)
        for (path, output) in outputs where path != "baseline" {
            XCTAssertTrue(output.checkpoint == baseline.checkpoint, "\(path): checkpoint differs from the baseline path's")
            XCTAssertEqual(output.detections, baseline.detections, "\(path): detections differ from the baseline path's")
        }
        XCTAssertGreaterThanOrEqual(outputs.count, 1)
    }
}
