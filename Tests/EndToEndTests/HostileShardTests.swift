// Issue "Hostile input", shards part: damaged or crafted shard folders given to every tool that
// reads them (verify, inspect, merge, convert's re-run, detect-train fit and predict) end in a
// clean refusal (exit 1, the file, the record and what to do named) or, for convert's re-run,
// in a repaired folder, inside 1 GiB and 60 s; never in a trap. Each run's cost is printed.
import Foundation
import XCTest

final class HostileShardTests: XCTestCase {
    static var scratch = ""
    /// A config and a 1-iteration checkpoint trained on the honest folder (for predict).
    static var config = ""
    static var checkpoint = ""
    var scratch: String { Self.scratch }

    override class func setUp() {
        super.setUp()
        scratch = NSTemporaryDirectory() + "hostile-shards-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let honest = try HostileShardFolder.write(at: scratch + "/honest")
            config = try FastConfig.write("smoke", into: scratch)
            let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", honest.path, "--out", scratch + "/run",
                                                          "--iterations", "1", "--threads", "2", "--quiet"])
            checkpoint = scratch + "/run/checkpoint.safetensors"
            if fit.status != 0 { print("fit on the honest folder failed: \(fit.stderr)") }
        } catch {
            print("hostile shard fixture: \(error)")
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    /// The four readers of a shard folder, as a user runs them.
    func readers(_ folder: String) -> [(String, String, [String])] {
        [("verify", "lvis-prep", ["verify", folder]),
         ("inspect", "lvis-prep", ["inspect", folder]),
         ("predict", "detect-train", ["predict", "--checkpoint", Self.checkpoint, "--data", folder, "--threads", "2"]),
         ("fit", "detect-train", ["fit", "--config", Self.config, "--train", folder, "--out", scratch + "/fit-\(UInt32.random(in: 0...UInt32.max))",
                                  "--iterations", "2", "--threads", "2"])]
    }

    /// The arguments of reader `name` ("verify", "inspect", "predict" or "fit") on `folder`.
    func arguments(of name: String, _ folder: String) -> [String] {
        readers(folder).first { $0.0 == name }!.2
    }

    /// Runs `tool` bounded and asserts a clean refusal with `status`, printing what it cost.
    @discardableResult
    func assertRefused(_ label: String, _ tool: String, _ arguments: [String], status: Int32 = 1, mentions: [String],
                       file: StaticString = #filePath, line: UInt = #line) throws -> BoundedRun {
        let run = try ToolRunner.runBounded(tool, arguments)
        print("hostile-shards \(label): exit \(run.status.map(String.init) ?? "signal"), \(run.peakResidentBytes >> 20) MiB, "
              + String(format: "%.2f s", run.seconds) + ", " + (run.stderr.split(separator: "\n").first(where: { $0.contains("error:") }) ?? ""))
        ToolRunner.assertCleanRefusal(run, status: status, mentions: mentions, label, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("learning rate"), "\(label): \(run.summary)", file: file, line: line)
        return run
    }

    func testOneFlippedTrailerBitIsRefusedByEveryReader() throws {
        let folder = try HostileShardFolder.write(at: scratch + "/flipped").path
        let shard = folder + "/shard-00000.bin"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: shard))
        bytes[bytes.count - 25] ^= 0x80  // the top bit of the index offset: >= 2^63
        try bytes.write(to: URL(fileURLWithPath: shard))
        for (name, tool, arguments) in readers(folder) {
            try assertRefused("flipped trailer bit, \(name)", tool, arguments,
                              mentions: [shard, "trailer checksum mismatch", "re-run the same `lvis-prep convert`"])
        }
    }

    func testAnIndexEntryAbove2To63BehindValidChecksumsIsRefusedByEveryReader() throws {
        let folder = try HostileShardFolder.write(at: scratch + "/index", shardBytes: { number, records in
            let payloads = records.map(\.payload)
            return HostileShardBytes.shard(payloads, index: number == 1 ? [16, UInt64(1) << 63] : nil)
        }).path
        for (name, tool, arguments) in readers(folder) {
            try assertRefused("index entry 2^63, \(name)", tool, arguments,
                              mentions: [folder + "/shard-00001.bin", "index entry 1 (offset 9223372036854775808)", "lvis-prep convert"])
        }
    }

    func testAClassIndexPastTheCategoryTableIsRefusedNamingTheRecord() throws {
        let folder = try HostileShardFolder.write(at: scratch + "/class", shardBytes: { _, records in
            HostileShardFolder.crafted(records) { $0.instances[0].classIndex = 7 }
        }).path
        for (name, tool, arguments) in readers(folder) where name != "inspect" {
            try assertRefused("class index 7 of 3, \(name)", tool, arguments,
                              mentions: [".bin", "record ", "(image id ", "class index 7 is outside the category table (3 categories)", "lvis-prep convert"])
        }
    }

    /// A NaN box used to reach training and be reported as a learning-rate problem.
    func testANaNBoxIsRefusedNamingTheRecordNotTheLearningRate() throws {
        let folder = try HostileShardFolder.write(at: scratch + "/nan", shardBytes: { _, records in
            HostileShardFolder.crafted(records) { $0.instances[0].box[2] = .nan }
        }).path
        for (name, tool, arguments) in readers(folder) where name != "inspect" {
            try assertRefused("NaN box, \(name)", tool, arguments, mentions: [".bin", "record ", "(image id ", "is not finite", "lvis-prep convert"])
        }
        let flat = try HostileShardFolder.write(at: scratch + "/zero-width", shardBytes: { _, records in
            HostileShardFolder.crafted(records) { $0.width = 0 }
        }).path
        try assertRefused("zero width, fit", "detect-train", arguments(of: "fit", flat), mentions: ["original width 0 is outside 1...16777216"])
    }

    func testManifestClaimsAreCheckedAgainstTheShards() throws {
        let inflated = try HostileShardFolder.write(at: scratch + "/inflated") { manifest in
            var counts = manifest["counts"] as! [String: Any]
            counts["images"] = 123_456
            manifest["counts"] = counts
        }.path
        for (name, tool, arguments) in readers(inflated) {
            try assertRefused("images 123456, \(name)", tool, arguments,
                              mentions: [inflated + "/manifest.json", "counts.images is 123456, the shard list holds 4 records", "re-run"])
        }
        let empty = try HostileShardFolder.write(at: scratch + "/empty") { $0["shards"] = [[String: Any]]() }.path
        try assertRefused("empty shard list, verify", "lvis-prep", ["verify", empty], mentions: ["the shard list holds 0 records"])
        let twice = try HostileShardFolder.write(at: scratch + "/twice") { manifest in
            let shards = manifest["shards"] as! [[String: Any]]
            manifest["shards"] = shards + [shards[0]]
        }.path
        for (name, tool, arguments) in readers(twice) {
            try assertRefused("shard listed twice, \(name)", tool, arguments,
                              mentions: [twice + "/manifest.json", "shard-00000.bin is listed twice (shards[0] and shards[2])"])
        }
        let escape = try HostileShardFolder.write(at: scratch + "/escape") { manifest in
            var shards = manifest["shards"] as! [[String: Any]]
            shards[1]["file"] = "../flipped/shard-00001.bin"
            manifest["shards"] = shards
        }.path
        try assertRefused("../ path, predict", "detect-train", arguments(of: "predict", escape), mentions: ["is not a file name inside the folder"])
        let perClass = try HostileShardFolder.write(at: scratch + "/per-class") { manifest in
            var counts = manifest["counts"] as! [String: Any]
            counts["instancesPerClass"] = [3, 1, 2]
            manifest["counts"] = counts
        }.path
        try assertRefused("per-class count, verify", "lvis-prep", ["verify", perClass],
                          mentions: ["counts differ from the shards: instancesPerClass[0]: 3 claimed, 2 in the shards"])
    }

    /// Synthetic LVIS data (4 images) converted in 2 units of 2 images, by one run or by a job
    /// array of 2 pieces (then without a manifest); returns the convert arguments of one run.
    func convertSynth(_ out: String, pieces: Int = 1) throws -> [String] {
        let synth = scratch + "/synth"
        if !FileManager.default.fileExists(atPath: synth + "/lvis_v1_train.json") {
            let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "4", "--val-images", "1", "--quiet"])
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        let arguments = ["convert", "--annotations", synth + "/lvis_v1_train.json", "--images", synth, "--out", out, "--max-size", "64,80",
                         "--records-per-shard", "2", "--quiet"]
        for piece in 0..<pieces {
            let run = try ToolRunner.run("lvis-prep", arguments + (pieces > 1 ? ["--num-shards", String(pieces), "--shard-index", String(piece)] : []))
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        return arguments
    }

    func editJSON(_ path: String, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    func testMergeRefusesPiecesWithPathsOrWrongCounts() throws {
        let out = scratch + "/pieces"
        _ = try convertSynth(out, pieces: 2)
        let summary = out + "/shard-00001.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: summary))
        let edits: [(String, (inout [String: Any]) -> Void, [String])] = [
            ("../ path", { var shard = $0["shard"] as! [String: Any]; shard["file"] = "../escape/shard-00001.bin"; $0["shard"] = shard },
             ["names the shard \"../escape/shard-00001.bin\", expected shard-00001.bin"]),
            ("record count", { var shard = $0["shard"] as! [String: Any]; shard["records"] = 3; $0["shard"] = shard },
             ["shard-00001.bin holds 2 records in", "the summary says 3"]),
            ("instance count", { var counts = $0["counts"] as! [String: Any]; counts["instances"] = 123_456; $0["counts"] = counts },
             ["counts differ from shard-00001.bin: instances: 123456 claimed"]),
        ]
        for (label, edit, mentions) in edits {
            try original.write(to: URL(fileURLWithPath: summary))
            try editJSON(summary, edit)
            try assertRefused("merge, summary \(label)", "lvis-prep", ["merge", out], mentions: [summary, "lvis-prep convert"] + mentions)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"), label)
        }
        try original.write(to: URL(fileURLWithPath: summary))
        let merged = try ToolRunner.runBounded("lvis-prep", ["merge", out, "--verify"])
        XCTAssertEqual(merged.status, 0, merged.summary)
    }

    /// Version-1 shards ask to re-convert, naming the file; re-running the same convert over an
    /// old or damaged folder redoes those units in place and the folder verifies again.
    func testVersionOneAndDamagedFoldersAreReconvertedInPlace() throws {
        let out = scratch + "/old"
        let convert = try convertSynth(out)
        let before = try (0..<2).map { try Data(contentsOf: URL(fileURLWithPath: out + String(format: "/shard-%05d.bin", $0))) }
        // What version 1 wrote: version 1 in the header, the trailer's CRC word 0, and the same
        // version in the manifest; summaries list the old files' checksums.
        for unit in 0..<2 {
            let path = out + String(format: "/shard-%05d.bin", unit)
            var bytes = [UInt8](before[unit])
            bytes[8] = 1
            let trailer = bytes.count - 32
            bytes.replaceSubrange(trailer + 16..<trailer + 20, with: HostileShardBytes.le(HostileShardBytes.crc32(Array(bytes[0..<16]))))
            bytes.replaceSubrange(trailer + 20..<trailer + 24, with: [0, 0, 0, 0])
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try editJSON(out + String(format: "/shard-%05d.json", unit)) { summary in
                var shard = summary["shard"] as! [String: Any]
                shard["crc32"] = Int(HostileShardBytes.crc32(bytes))
                summary["shard"] = shard
            }
        }
        try editJSON(out + "/manifest.json") { $0["version"] = 1 }
        for (name, tool, arguments) in readers(out) {
            try assertRefused("version 1 folder, \(name)", tool, arguments,
                              mentions: [out + "/manifest.json", "shard format version 1 (made by an older lvis-prep)", "re-convert"])
        }
        try editJSON(out + "/manifest.json") { $0["version"] = 2 }
        try assertRefused("version 1 shard, predict", "detect-train", arguments(of: "predict", out),
                          mentions: [out + "/shard-00000.bin", "shard format version 1", "re-convert"])
        // The re-run the message recommends: both units redone, byte for byte as before.
        let rerun = try ToolRunner.runBounded("lvis-prep", convert)
        print("hostile-shards convert re-run over version 1: \(rerun.summary.prefix(40))")
        XCTAssertEqual(rerun.status, 0, rerun.summary)
        XCTAssertTrue(rerun.stdout.contains("\"shardsWritten\":2"), rerun.stdout)
        XCTAssertLessThanOrEqual(rerun.peakResidentBytes, ToolRunner.hostileMemoryBound)
        for unit in 0..<2 {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + String(format: "/shard-%05d.bin", unit))), before[unit])
        }
        XCTAssertEqual(try ToolRunner.run("lvis-prep", ["verify", out]).status, 0)
        // A flipped trailer bit: the re-run redoes that unit and keeps the other.
        var damaged = before[1]
        damaged[damaged.count - 25] ^= 0x80
        try damaged.write(to: URL(fileURLWithPath: out + "/shard-00001.bin"))
        try assertRefused("flipped trailer bit before the re-run, verify", "lvis-prep", ["verify", out],
                          mentions: [out + "/shard-00001.bin", "trailer checksum mismatch"])
        let repaired = try ToolRunner.runBounded("lvis-prep", convert)
        print("hostile-shards convert re-run over a flipped trailer bit: \(repaired.summary.prefix(40))")
        XCTAssertEqual(repaired.status, 0, repaired.summary)
        XCTAssertTrue(repaired.stdout.contains("\"shardsKept\":1") && repaired.stdout.contains("\"shardsWritten\":1"), repaired.stdout)
        XCTAssertLessThanOrEqual(repaired.seconds, ToolRunner.hostileTimeBound)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/shard-00001.bin")), before[1])
        XCTAssertEqual(try ToolRunner.run("lvis-prep", ["verify", out]).status, 0)
    }
}
