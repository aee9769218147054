// Hostile configs, checkpoints and weights, run through the tools as an attacker or a
// careless user would (issue "Hostile input", part "configs, checkpoints, weights, JSON
// output"): each is a clean refusal (exit 1, or 64/74 for a path that is not a file) whose
// message names the file, the key or tensor and what to do, inside 1 GiB and 60 s. The
// config a checkpoint carries in its metadata is not covered by its data CRC, so the
// checkpoints here are the real one with that metadata rewritten.
import Foundation
import XCTest

final class HostileConfigTests: XCTestCase {
    /// Shards (synthetic, 6 train / 2 val images) and a 1-iteration smoke checkpoint, made
    /// once for the class.
    struct Fixture {
        let folder: String
        let train: String
        let val: String
        let config: String
        let checkpoint: String
    }

    static var made: Fixture?
    static let folder = NSTemporaryDirectory() + "hostile-config-e2e-\(getpid())"

    static func fixture() throws -> Fixture {
        if let made { return made }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let synth = folder + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "6", "--val-images", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for split in ["train", "val"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_\(split).json", "--images", synth,
                                                        "--out", folder + "/" + split, "--max-size", "128,160", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let config = try FastConfig.write("smoke", into: folder)
        let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", folder + "/train", "--out", folder + "/base",
                                                      "--iterations", "1", "--threads", "2", "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let fixture = Fixture(folder: folder, train: folder + "/train", val: folder + "/val", config: config,
                              checkpoint: folder + "/base/checkpoint.safetensors")
        Self.made = fixture
        return fixture
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
        super.tearDown()
    }

    /// Runs `tool` bounded, prints what it cost (for the report) and checks a clean refusal.
    @discardableResult
    func refused(_ tool: String, _ arguments: [String], status: Int32 = 1, mentions: [String], _ label: String,
                 file: StaticString = #filePath, line: UInt = #line) throws -> BoundedRun {
        let run = try ToolRunner.runBounded(tool, arguments + ["--threads", "2"])
        print("HostileConfigTests: \(label): \(run.summary.prefix(400))")
        ToolRunner.assertCleanRefusal(run, status: status, mentions: mentions, label, file: file, line: line)
        return run
    }

    // MARK: Config files

    func testOutOfRangeConfigValuesAreRefusedNamingKeyRangeValueAndFile() throws {
        let f = try Self.fixture()
        // Each a file built on smoke.json that changes one value.
        let smoke = FastConfig.configs + "/smoke.json"
        let cases = [
            (#""fpn": {"channels": 100000}"#, "fpn.channels must be in [1, 2048], got 100000"),
            (#""roiHeads": {"maskPooler": {"outputSize": 100000}}"#, "roiHeads.maskPooler.outputSize must be in [1, 64], got 100000"),
            (#""solver": {"imagesPerBatch": 100000}"#, "solver.imagesPerBatch must be in [1, 1024], got 100000"),
            (#""test": {"maxDetectionsPerImage": 1e12}"#, "test.maxDetectionsPerImage must be in [1, 100000], got 1000000000000"),
        ]
        for (index, (hostile, message)) in cases.enumerated() {
            let path = f.folder + "/hostile-\(index).json"
            try #"{"base": "\#(smoke)", \#(hostile)}"#.write(toFile: path, atomically: true, encoding: .utf8)
            try refused("detect-train", ["fit", "--config", path, "--train", f.train, "--out", f.folder + "/never-\(index)"],
                        mentions: [path, message, "hint:"], "config file \(hostile)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.folder + "/never-\(index)/checkpoint.safetensors"))
        }
    }

    /// `"categories": []` is refused by convert; a shard folder whose manifest was edited to
    /// hold no categories (as older versions of convert wrote) is refused by fit before the
    /// model is built, not a trap on a parameter shape.
    func testShardsWithoutCategoriesAreRefusedBeforeTheModelIsBuilt() throws {
        let f = try Self.fixture()
        var annotations = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f.folder + "/synth/lvis_v1_train.json")))
                                        as? [String: Any])
        annotations["annotations"] = []
        annotations["images"] = try XCTUnwrap(annotations["images"] as? [[String: Any]]).map { image in
            image.filter { $0.key != "neg_category_ids" && $0.key != "not_exhaustive_category_ids" }
        }
        let oneCategory = try XCTUnwrap(annotations["categories"] as? [[String: Any]]).prefix(1)
        annotations["categories"] = []
        let json = f.folder + "/no-categories.json"
        try JSONSerialization.data(withJSONObject: annotations).write(to: URL(fileURLWithPath: json))
        _ = try refused("lvis-prep", ["convert", "--annotations", json, "--images", f.folder + "/synth", "--out", f.folder + "/never-converted",
                                  "--max-size", "128,160", "--quiet"], mentions: [json, "no categories"], "convert, no categories")

        annotations["categories"] = Array(oneCategory)
        try JSONSerialization.data(withJSONObject: annotations).write(to: URL(fileURLWithPath: json))
        let shards = f.folder + "/no-categories"
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", json, "--images", f.folder + "/synth",
                                                       "--out", shards, "--max-size", "128,160", "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let manifestPath = shards + "/manifest.json"
        var manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        manifest["categories"] = []
        var counts = try XCTUnwrap(manifest["counts"] as? [String: Any])
        counts["imagesPerClass"] = []
        counts["instancesPerClass"] = []
        manifest["counts"] = counts
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        _ = try refused("detect-train", ["fit", "--config", f.config, "--train", shards, "--out", f.folder + "/never-zero"],
                    mentions: [shards, "0 categories"], "fit, zero categories")
    }

    // MARK: Checkpoints

    /// The checkpoint's config in its metadata (not covered by the data CRC) out of range:
    /// refused by predict, by loce-finetune --from and by --resume, naming the checkpoint.
    func testACheckpointsStoredConfigIsValidatedByEveryReader() throws {
        let f = try Self.fixture()
        let channels = f.folder + "/channels.safetensors"
        try rewriteMetadata(f.checkpoint, to: channels) { config in
            var fpn = config["fpn"] as! [String: Any]
            fpn["channels"] = 100_000
            config["fpn"] = fpn
        }
        let message = "fpn.channels must be in [1, 2048], got 100000"
        try refused("detect-train", ["predict", "--checkpoint", channels, "--data", f.val, "--out", f.folder + "/never.json"],
                    mentions: [channels, message], "predict, metadata fpn.channels 100000")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.folder + "/never.json"))
        let detections = f.folder + "/detections.safetensors"
        try rewriteMetadata(f.checkpoint, to: detections) { config in
            var test = config["test"] as! [String: Any]
            test["maxDetectionsPerImage"] = 1_000_000_000_000
            config["test"] = test
        }
        try refused("detect-train", ["predict", "--checkpoint", detections, "--data", f.val],
                    mentions: [detections, "test.maxDetectionsPerImage must be in [1, 100000], got 1000000000000"],
                    "predict, metadata maxDetectionsPerImage 1e12")

        let loceConfig = try FastConfig.write("smoke-loce", into: f.folder)
        try refused("loce-finetune", ["fit", "--config", loceConfig, "--from", channels, "--train", f.train, "--out", f.folder + "/never-loce"],
                    mentions: [channels, message], "loce-finetune --from, metadata fpn.channels 100000")

        let resumed = f.folder + "/resume"
        try FileManager.default.createDirectory(atPath: resumed, withIntermediateDirectories: true)
        try rewriteMetadata(f.checkpoint, to: resumed + "/checkpoint.safetensors") { config in
            var solver = config["solver"] as! [String: Any]
            solver["imagesPerBatch"] = 100_000
            config["solver"] = solver
        }
        try refused("detect-train", ["fit", "--config", f.config, "--train", f.train, "--out", resumed, "--resume"],
                    mentions: [resumed + "/checkpoint.safetensors", "solver.imagesPerBatch must be in [1, 1024], got 100000"],
                    "fit --resume, metadata imagesPerBatch 100000")
    }

    /// A config changed inside its ranges (a 2048-wide box head) no longer fits the weights:
    /// refused from the layout, before the larger model is allocated.
    func testWeightsThatDoNotFitTheStoredConfigAreRefusedBeforeAllocating() throws {
        let f = try Self.fixture()
        let wide = f.folder + "/wide.safetensors"
        try rewriteMetadata(f.checkpoint, to: wide) { config in
            var roi = config["roiHeads"] as! [String: Any]
            var box = roi["boxHead"] as! [String: Any]
            box["fcDim"] = 2048
            roi["boxHead"] = box
            config["roiHeads"] = roi
        }
        try refused("detect-train", ["predict", "--checkpoint", wide, "--data", f.val],
                    mentions: [wide, "tensor roi_heads.box_head.fc1.weight has shape", "another model or preset"],
                    "predict, weights do not fit the stored config")
    }

    func testNaNWeightsAreRefusedAndLeaveNoOutputFile() throws {
        let f = try Self.fixture()
        let poisoned = f.folder + "/nan.safetensors"
        try rewriteTensor(f.checkpoint, to: poisoned, name: "roi_heads.box_predictor.bbox_pred.weight") { floats in
            floats[3] = .nan
        }
        let out = f.folder + "/nan-detections.json"
        try refused("detect-train", ["predict", "--checkpoint", poisoned, "--data", f.val, "--out", out],
                    mentions: [poisoned, "tensor roi_heads.box_predictor.bbox_pred.weight holds 1 value that is not finite", "hint:"],
                    "predict, NaN weight")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output file")
        let loceConfig = try FastConfig.write("smoke-loce", into: f.folder)
        try refused("loce-finetune", ["fit", "--config", loceConfig, "--from", poisoned, "--train", f.train, "--out", f.folder + "/never-nan"],
                    mentions: [poisoned, "bbox_pred.weight holds 1 value that is not finite"], "loce-finetune --from, NaN weight")
    }

    /// Finite weights so large that the model's outputs overflow (every FPN weight x 1e36):
    /// predict stops at the first image with a non-finite box or score, exit 1, and keeps no
    /// output file (JSON has no NaN).
    func testOverflowingOutputsAreRefusedAndLeaveNoOutputFile() throws {
        let f = try Self.fixture()
        let huge = f.folder + "/huge.safetensors"
        try rewriteTensor(f.checkpoint, to: huge, name: "fpn.", prefix: true) { floats in
            floats = floats.map { $0 * 1e36 }
        }
        let out = f.folder + "/huge-detections.json"
        try refused("detect-train", ["predict", "--checkpoint", huge, "--data", f.val, "--out", out],
                    mentions: [huge, "image id", "a detection has a score or box that is not a finite number", "hint:"],
                    "predict, weights x 1e36 overflow")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output file")
        let piped = try ToolRunner.run("detect-train", ["predict", "--checkpoint", huge, "--data", f.val, "--threads", "2"])
        XCTAssertEqual(piped.status, 1, piped.stderr)
        XCTAssertFalse(piped.stdout.contains("NaN") || piped.stdout.contains("Infinity"), piped.stdout)
    }

    /// Finite weights that overflow inside `MaskRCNN.detect`, one head at a time: RPN deltas
    /// and objectness, box regression and classification at +-Float.greatestFiniteMagnitude
    /// (infinite and NaN deltas and scores: NaN or clipped boxes reach NMS, the mask RoIs,
    /// RoIAlign's level assignment and the mask paste), mask head x 1e36 (infinite mask
    /// logits). No trap anywhere: each run ends with exit 0 and only finite numbers on
    /// stdout, or exit 1 at the first non-finite output, naming checkpoint and image.
    func testOverflowingHeadsNeverTrapInsideDetect() throws {
        let f = try Self.fixture()
        let saturate: (inout [Float]) -> Void = { floats in
            floats = floats.map { $0 == 0 ? Float.greatestFiniteMagnitude : ($0 > 0 ? 1 : -1) * Float.greatestFiniteMagnitude }
        }
        let cases: [(String, String, (inout [Float]) -> Void)] = [
            ("rpn-deltas", "rpn.deltas.weight", saturate), ("rpn-objectness", "rpn.objectness.weight", saturate),
            ("bbox-pred", "roi_heads.box_predictor.bbox_pred.weight", saturate),
            ("cls-score", "roi_heads.box_predictor.cls_score.weight", saturate),
            ("mask-head", "roi_heads.mask_head.", { floats in floats = floats.map { $0 * 1e36 } }),
        ]
        for (label, name, edit) in cases {
            let path = f.folder + "/overflow-\(label).safetensors"
            try rewriteTensor(f.checkpoint, to: path, name: name, prefix: name.hasSuffix("."), edit: edit)
            let run = try ToolRunner.runBounded("detect-train", ["predict", "--checkpoint", path, "--data", f.val, "--threads", "2"])
            print("HostileConfigTests: predict, \(label) overflowing: \(run.summary.prefix(300))")
            XCTAssertNil(run.signal, "\(label): \(run.summary)")
            XCTAssertLessThanOrEqual(run.peakResidentBytes, ToolRunner.hostileMemoryBound, "\(label): \(run.summary)")
            XCTAssertLessThanOrEqual(run.seconds, ToolRunner.hostileTimeBound, "\(label): \(run.summary)")
            if run.status == 0 {
                let results = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
                XCTAssertNotNil(results, "\(label): stdout is a JSON list")
                for result in results ?? [] {
                    let numbers = ((result["bbox"] as? [NSNumber]) ?? []) + [(result["score"] as? NSNumber) ?? NSNumber(value: Double.nan)]
                    XCTAssertTrue(numbers.count == 5 && numbers.allSatisfy { $0.doubleValue.isFinite }, "\(label): \(result)")
                }
            } else {
                ToolRunner.assertCleanRefusal(run, status: 1, mentions: [path, "image id", "not a finite number"], label)
            }
        }
    }

    /// safetensors headers that lie: a shape whose size overflows 64 bits, a header length
    /// of 2^64 - 1, offsets past the end. Tiny files; each refused naming file and tensor.
    func testLyingSafetensorsHeadersAreRefused() throws {
        let f = try Self.fixture()
        let cases: [(String, [UInt8], String)] = [
            ("overflow", header(#"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#) + [UInt8](repeating: 0, count: 16),
             "tensor x: shape [4294967296, 4294967296] of F32 is too large"),
            ("length", [UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8), "announce a header of 18446744073709551615 bytes"),
            ("past-end", header(#"{"x":{"dtype":"F32","shape":[1048576],"data_offsets":[0,4194304]}}"#) + [UInt8](repeating: 0, count: 16),
             "tensor x: truncated safetensors file"),
        ]
        for (name, bytes, message) in cases {
            let path = f.folder + "/lying-\(name).safetensors"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try refused("detect-train", ["predict", "--checkpoint", path, "--data", f.val], mentions: [path, message],
                        "predict, safetensors header \(name)")
        }
    }

    /// A directory, a device and a FIFO as the checkpoint: refused up front (exit 64 from the
    /// command-line path check, or 74 from the reader itself), never read or waited on.
    func testACheckpointThatIsNotAFileIsRefusedWithoutReading() throws {
        let f = try Self.fixture()
        let fifo = f.folder + "/pipe.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for path in [f.folder, "/dev/zero", fifo] {
            let run = try ToolRunner.runBounded("detect-train", ["predict", "--checkpoint", path, "--data", f.val, "--threads", "2"],
                                                timeLimit: 20)
            print("HostileConfigTests: checkpoint \(path): \(run.summary.prefix(300))")
            XCTAssertTrue(run.status == 64 || run.status == 74, run.summary)
            ToolRunner.assertCleanRefusal(run, status: run.status ?? -1, mentions: [path], "checkpoint \(path)")
        }
    }

    // MARK: Building hostile files from the real checkpoint

    /// 8-byte little-endian length + `json`.
    func header(_ json: String) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + Array(json.utf8)
    }

    /// (header object, data bytes) of a safetensors file.
    func split(_ path: String) throws -> ([String: Any], Data) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + length))) as? [String: Any])
        return (object, bytes.subdata(in: (8 + length)..<bytes.count))
    }

    func write(_ object: [String: Any], data: Data, to path: String) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        var out = Data(header(json))
        out.append(data)
        try out.write(to: URL(fileURLWithPath: path))
    }

    /// The checkpoint with its metadata config edited; the data (and its CRC) unchanged.
    func rewriteMetadata(_ path: String, to newPath: String, edit: (inout [String: Any]) -> Void) throws {
        var (object, data) = try split(path)
        var metadata = try XCTUnwrap(object["__metadata__"] as? [String: String])
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(metadata["config"]).utf8)) as? [String: Any])
        edit(&config)
        metadata["config"] = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        object["__metadata__"] = metadata
        try write(object, data: data, to: newPath)
    }

    /// The checkpoint with the values of the F32 tensors `name` or, with `prefix`, every one
    /// whose name starts with it edited, and the data CRC record dropped (a file without it
    /// is read unchecked, like Python's).
    func rewriteTensor(_ path: String, to newPath: String, name: String, prefix: Bool = false, edit: (inout [Float]) -> Void) throws {
        var (object, data) = try split(path)
        var metadata = try XCTUnwrap(object["__metadata__"] as? [String: String])
        metadata["data_crc32"] = nil
        object["__metadata__"] = metadata
        let names = object.keys.filter { prefix ? $0.hasPrefix(name) : $0 == name }
        XCTAssertFalse(names.isEmpty, name)
        for tensor in names {
            let entry = try XCTUnwrap(object[tensor] as? [String: Any])
            let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
            var floats = data.subdata(in: offsets[0]..<offsets[1]).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            edit(&floats)
            data.replaceSubrange(offsets[0]..<offsets[1], with: floats.withUnsafeBytes { Data($0) })
        }
        try write(object, data: data, to: newPath)
    }
}
