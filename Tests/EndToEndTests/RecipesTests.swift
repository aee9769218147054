// The pipelines' job-scheduler path, run as a user runs it: `detect-train predict
// --num-shards N --shard-index I` pieces joined by `detect-train merge-predictions` give
// exactly the bytes of one unsharded predict (several N, with and without --batch, pieces
// that are empty); the merge refuses a missing or malformed piece with exit 1 naming it; and
// the real-data recipes (scripts/check-recipes.sh: make targets without their data, Slurm
// scripts' syntax) explain what is missing instead of failing in a stage.
import Foundation
import XCTest

final class RecipesTests: XCTestCase {
    var scratch = ""

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "recipes-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    /// A 2-iteration smoke checkpoint and a 7-image val shard folder (7: no N below divides it).
    func makeCheckpointAndShards() throws -> (checkpoint: String, val: String) {
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "3", "--train-images", "6", "--val-images", "7", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for split in ["train", "val"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_\(split).json", "--images", synth,
                                                        "--out", scratch + "/" + split, "--max-size", "96,128", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let config = try FastConfig.write("smoke", into: scratch)
        let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", scratch + "/train", "--out", scratch + "/run",
                                                      "--iterations", "2", "--threads", "1", "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        return (scratch + "/run/checkpoint.safetensors", scratch + "/val")
    }

    func predict(_ checkpoint: String, _ data: String, out: String, batch: Int, pieces: Int? = nil, index: Int? = nil) throws {
        var arguments = ["predict", "--checkpoint", checkpoint, "--data", data, "--out", out, "--batch", "\(batch)",
                         "--threads", "1", "--quiet"]
        if let pieces, let index { arguments += ["--num-shards", "\(pieces)", "--shard-index", "\(index)"] }
        let run = try ToolRunner.run("detect-train", arguments)
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    func testShardedPredictMergesIntoTheUnshardedBytes() throws {
        let (checkpoint, val) = try makeCheckpointAndShards()
        for batch in [1, 2] {
            let whole = scratch + "/whole-b\(batch).json"
            try predict(checkpoint, val, out: whole, batch: batch)
            let expected = try Data(contentsOf: URL(fileURLWithPath: whole))
            let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: expected) as? [[String: Any]])
            XCTAssertGreaterThan(results.count, 0, "the smoke model should detect something")
            // 3 pieces: uneven; 9 pieces with batch 1 (and 5 with batch 2): some pieces are empty.
            for pieces in [1, 3, batch == 1 ? 9 : 5] {
                var parts: [String] = []
                for index in 0..<pieces {
                    let part = scratch + "/b\(batch)-n\(pieces)-part-\(index).json"
                    try predict(checkpoint, val, out: part, batch: batch, pieces: pieces, index: index)
                    let piece = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: part))) as? [Any],
                                              "piece \(index) of \(pieces) is not a JSON array")
                    _ = piece
                    parts.append(part)
                }
                let merged = scratch + "/b\(batch)-n\(pieces)-merged.json"
                let merge = try ToolRunner.run("detect-train", ["merge-predictions", "--out", merged, "--quiet"] + parts)
                XCTAssertEqual(merge.status, 0, merge.stderr)
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: merged)), expected,
                               "--batch \(batch), \(pieces) pieces: merged bytes differ from the unsharded predict")
                // stdout gives the same bytes.
                let streamed = try ToolRunner.run("detect-train", ["merge-predictions", "--quiet"] + parts)
                XCTAssertEqual(streamed.status, 0, streamed.stderr)
                XCTAssertEqual(Data(streamed.stdout.utf8), expected, "--batch \(batch), \(pieces) pieces, stdout")
            }
        }
    }

    func testMergeRefusesMissingOrMalformedPiecesAndBadShardOptions() throws {
        let good = scratch + "/part-0.json"
        try Data("[\n{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}\n]\n".utf8)
            .write(to: URL(fileURLWithPath: good))
        let empty = scratch + "/part-1.json"
        try Data("[]\n".utf8).write(to: URL(fileURLWithPath: empty))
        let missing = scratch + "/part-2.json"
        let out = scratch + "/merged.json"

        let refused = try ToolRunner.run("detect-train", ["merge-predictions", "--out", out, good, empty, missing])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains(missing), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--shard-index"), "the hint says what to re-run: \(refused.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written when a piece is missing")

        let object = scratch + "/object.json"
        try Data("{\"a\": 1}\n".utf8).write(to: URL(fileURLWithPath: object))
        let truncated = scratch + "/truncated.json"
        try Data("[\n{\"image_id\": 1,".utf8).write(to: URL(fileURLWithPath: truncated))
        for bad in [object, truncated] {
            let run = try ToolRunner.run("detect-train", ["merge-predictions", "--out", out, good, bad])
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(bad) && run.stderr.contains("JSON array"), run.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }

        let dash = try ToolRunner.run("detect-train", ["merge-predictions", "--out", out, good, "-"])
        XCTAssertEqual(dash.status, 64, dash.stderr)
        XCTAssertTrue(dash.stderr.contains("standard input"), dash.stderr)

        // Good pieces merge into one valid array (the empty one contributes nothing).
        let merged = try ToolRunner.run("detect-train", ["merge-predictions", good, empty, good, "--quiet"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        let none = try ToolRunner.run("detect-train", ["merge-predictions", empty, empty, "--quiet"])
        XCTAssertEqual(none.stdout, "[]\n")

        // Usage errors exit 64.
        for arguments in [["merge-predictions"],
                          ["predict", "--checkpoint", "c", "--data", "d", "--num-shards", "2", "--shard-index", "2"],
                          ["predict", "--checkpoint", "c", "--data", "d", "--num-shards", "0"]] {
            let run = try ToolRunner.run("detect-train", arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
        }
    }

    /// The make recipes without their data, the Slurm scripts' syntax (and ShellCheck when
    /// installed): scripts/check-recipes.sh, which names each failure.
    func testRecipesExplainMissingDataAndSchedulerScriptsParse() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", Self.repository + "/scripts/check-recipes.sh"]
        process.currentDirectoryURL = URL(fileURLWithPath: Self.repository)
        var environment = ProcessInfo.processInfo.environment
        environment["MAKEFLAGS"] = nil
        environment["MFLAGS"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("check-recipes: all passed"), text)
    }
}
