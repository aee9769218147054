// Issue "Hostile input", part files, streams, command lines, signals and messages: outputs are
// written only where asked (never into an empty path, a device, a folder or an input), inputs
// that are not files are refused, streams are bounded, integer options have ranges, and an
// interrupted synth or report leaves nothing that looks complete. Each refusal is checked
// with the bounded runner (exit status, message, <= 1 GiB, <= 60 s); its cost is printed.
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HostileFilesTests: XCTestCase {
    var scratch: String!

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "hostile-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // A refused stream closes its end early; writer threads must get EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    // MARK: Fixtures, made small in the test's folder

    /// A one-image COCO ground truth and a results file that matches it.
    private func evaluationFiles() throws -> (gt: String, results: String) {
        let gt = scratch + "/gt.json", results = scratch + "/results.json"
        try write(gt, """
            {"images":[{"id":1,"width":64,"height":48,"file_name":"1.jpg"}],"annotations":[{"id":1,"image_id":1,"category_id":1,\
            "bbox":[4,4,20,16],"area":320,"iscrowd":0,"segmentation":[[4,4,24,4,24,20,4,20]]}],"categories":[{"id":1,"name":"box"}]}
            """)
        try write(results, #"[{"image_id":1,"category_id":1,"bbox":[4,4,20,16],"score":0.9}]"#)
        return (gt, results)
    }

    /// A file that is not a checkpoint and a folder that is not a shard folder: the checks
    /// under test come before either is read, so the errors must be about the option checked.
    private func junkTrainingInputs() throws -> (checkpoint: String, shards: String, config: String) {
        let checkpoint = scratch + "/model.safetensors", shards = scratch + "/shards", config = scratch + "/config.json"
        try write(checkpoint, "not a checkpoint")
        try write(config, "{}")
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        try write(shards + "/manifest.json", "{}")
        return (checkpoint, shards, config)
    }

    private func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    private func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Runs a hostile case bounded, asserts a clean refusal and prints what it cost.
    @discardableResult
    private func refusal(_ tool: String, _ arguments: [String], stdin: Data? = nil, status: Int32, mentions: [String],
                         _ label: String, file: StaticString = #filePath, line: UInt = #line) throws -> BoundedRun {
        let run = try ToolRunner.runBounded(tool, arguments, stdin: stdin, timeLimit: ToolRunner.hostileTimeBound + 10)
        ToolRunner.assertCleanRefusal(run, status: status, mentions: mentions, label, file: file, line: line)
        XCTAssertNil(run.signal, "\(label): \(run.summary)", file: file, line: line)
        print("hostile-files: \(label): \(run.summary.replacingOccurrences(of: "\n", with: " | "))")
        return run
    }

    private static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(cString: name)
        return text.isEmpty || text.contains("/") ? "localhost" : text
    }()

    /// A process id no process has (pid_max is at most 2^22).
    private static let deadPID = 4_194_303

    // MARK: Files touched that should not be

    func testAnEmptyOutputPathIsAUsageError() throws {
        let (gt, results) = try evaluationFiles()
        let (checkpoint, shards, _) = try junkTrainingInputs()
        try refusal("lvis-prep", ["convert", "--annotations", gt, "--images", scratch, "--out", ""], status: 64,
                    mentions: ["--out is an empty path", "hint:"], "convert --out ''")
        try refusal("lvis-prep", ["synth", "--out", ""], status: 64, mentions: ["--out is an empty path"], "synth --out ''")
        try refusal("lvis-prep", ["stats", shards, "--plot", ""], status: 64, mentions: ["--plot is an empty path"], "stats --plot ''")
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", ""], status: 64,
                    mentions: ["--out is an empty path"], "predict --out ''")
        try refusal("detect-train", ["merge-predictions", "--out", "", results], status: 64,
                    mentions: ["--out is an empty path"], "merge-predictions --out ''")
        try refusal("detect-eval", ["--gt", gt, "--dt", results, "--per-category", ""], status: 64,
                    mentions: ["--per-category is an empty path", "hint: give a file or folder path after --per-category"],
                    "evaluate --per-category ''")
        try refusal("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--out", ""], status: 64,
                    mentions: ["--out is an empty path"], "report --out ''")
        XCTAssertNil(contents("/manifest.json"), "nothing was written into /")
    }

    func testOutputsThatAreDevicesOrFoldersAreRefusedBeforeWork() throws {
        let (gt, results) = try evaluationFiles()
        let (checkpoint, shards, config) = try junkTrainingInputs()
        let deviceLink = scratch + "/null.json"
        XCTAssertEqual(symlink("/dev/null", deviceLink), 0)
        try refusal("lvis-prep", ["convert", "--annotations", gt, "--images", scratch, "--out", "/dev/null"], status: 64,
                    mentions: ["--out /dev/null: is a device"], "convert --out /dev/null")
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", "/dev/null"], status: 64,
                    mentions: ["--out /dev/null: is a device"], "predict --out /dev/null")
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", deviceLink], status: 64,
                    mentions: ["--out \(deviceLink): is a device"], "predict --out LINK-TO-/dev/null")
        // The checkpoint is junk: had the run started, the error would be about it.
        let existing = scratch + "/dets"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: true)
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", existing], status: 64,
                    mentions: ["--out \(existing): is a directory", "hint: name a file inside it"], "predict --out EXISTING_DIR")
        try refusal("detect-eval", ["--gt", gt, "--dt", results, "--plot", existing], status: 64,
                    mentions: ["--plot \(existing): is a directory"], "evaluate --plot EXISTING_DIR")
        try refusal("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--out", "/dev/null"], status: 64,
                    mentions: ["--out /dev/null: is a device"], "report --out /dev/null")
        try refusal("detect-train", ["fit", "--config", config, "--train", shards, "--out", checkpoint], status: 64,
                    mentions: ["--out \(checkpoint): is a regular file; an output folder is needed"], "fit --out FILE")
        let synth = scratch + "/synth"
        try FileManager.default.createDirectory(atPath: synth + "/lvis_v1_train.json", withIntermediateDirectories: true)
        try refusal("lvis-prep", ["synth", "--out", synth, "--train-images", "2", "--val-images", "1"], status: 64,
                    mentions: ["lvis_v1_train.json: is a directory"], "synth --out DIR-WITH-A-FOLDER-WHERE-A-JSON-GOES")
        XCTAssertEqual(entries(synth), ["lvis_v1_train.json"], "nothing was rendered")
        var info = stat()
        XCTAssertEqual(stat("/dev/null", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "/dev/null is still a device")
    }

    func testAnOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        let (gt, results) = try evaluationFiles()
        let (checkpoint, shards, config) = try junkTrainingInputs()
        let before = (contents(gt), contents(results), contents(checkpoint))
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", checkpoint], status: 64,
                    mentions: ["is the same file as the input \(checkpoint)"], "predict --out X --checkpoint X")
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", shards, "--out", shards + "/manifest.json"],
                    status: 64, mentions: ["the same file as the input"], "predict --out SHARDS/manifest.json")
        try refusal("detect-eval", ["--gt", gt, "--dt", results, "--per-category", results], status: 64,
                    mentions: ["--per-category \(results) is the same file as the input"], "evaluate --per-category RESULTS.json")
        let gtLink = scratch + "/gt-link.png"
        XCTAssertEqual(symlink(gt, gtLink), 0)
        try refusal("detect-eval", ["--gt", gt, results, "--plot", gtLink], status: 64,
                    mentions: ["--plot \(gtLink) is the same file as the input \(gt)"], "evaluate --plot LINK-TO-GT")
        try refusal("detect-train", ["merge-predictions", "--out", results, results], status: 64,
                    mentions: ["is the same file as the input"], "merge-predictions --out PART PART")
        try refusal("detect-train", ["fit", "--config", config, "--train", shards, "--out", shards], status: 64,
                    mentions: ["--out \(shards) is the input folder"], "fit --out SHARDS --train SHARDS")
        let out = scratch + "/loce"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try write(out + "/checkpoint.safetensors", "stage 1")
        try refusal("loce-finetune", ["fit", "--config", config, "--from", out + "/checkpoint.safetensors", "--train", shards, "--out", out],
                    status: 64, mentions: ["the run writes \(out)/checkpoint.safetensors, which is the same file as the input"],
                    "loce-finetune --from OUT/checkpoint.safetensors --out OUT")
        try refusal("lvis-prep", ["stats", shards, "--plot", shards + "/manifest.json"], status: 64,
                    mentions: ["the same file as the input"], "stats --plot SHARDS/manifest.json")
        try refusal("detect-eval", ["compare", "--result", "a=" + results, "--chart", results], status: 64,
                    mentions: ["--chart \(results) is the same file as the input"], "compare --chart EVAL.json")
        XCTAssertEqual(contents(gt), before.0)
        XCTAssertEqual(contents(results), before.1)
        XCTAssertEqual(contents(checkpoint), before.2)
        XCTAssertEqual(contents(out + "/checkpoint.safetensors"), Data("stage 1".utf8))
        XCTAssertEqual(contents(shards + "/manifest.json"), Data("{}".utf8))
    }

    func testASymbolicLinkOutputIsWrittenThroughAndTheLinkKept() throws {
        let (gt, results) = try evaluationFiles()
        let target = scratch + "/per-class.csv", link = scratch + "/latest.csv"
        try write(target, "old")
        XCTAssertEqual(symlink("per-class.csv", link), 0)
        let run = try ToolRunner.run("detect-eval", ["--gt", gt, "--dt", results, "--per-category", link, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "per-class.csv", "the link is kept")
        let written = String(decoding: contents(target) ?? Data(), as: UTF8.self)
        XCTAssertTrue(written.hasPrefix("iou_type,category_id,"), written)
    }

    // MARK: Inputs that are not files

    func testInputsThatAreNotFilesAreRefused() throws {
        let (gt, results) = try evaluationFiles()
        let (checkpoint, shards, config) = try junkTrainingInputs()
        try refusal("detect-train", ["predict", "--checkpoint", "/dev/zero", "--data", shards], status: 64,
                    mentions: ["--checkpoint /dev/zero: is a device, not a file", "hint:"], "predict --checkpoint /dev/zero")
        let folder = try refusal("detect-train", ["predict", "--checkpoint", shards, "--data", shards], status: 64,
                                 mentions: ["--checkpoint \(shards): is a directory, not a file", "hint: give the path of a regular file"],
                                 "predict --checkpoint DIR")
        XCTAssertFalse(folder.stderr.contains("NSCocoaErrorDomain"), folder.stderr)
        try refusal("loce-finetune", ["fit", "--config", config, "--from", "/dev/zero", "--train", shards, "--out", scratch + "/o"],
                    status: 64, mentions: ["--from /dev/zero: is a device"], "loce-finetune --from /dev/zero")
        try refusal("detect-train", ["fit", "--config", "/dev/zero", "--train", shards, "--out", scratch + "/o"], status: 64,
                    mentions: ["--config /dev/zero: is a device"], "fit --config /dev/zero")
        try refusal("detect-eval", ["--gt", "/dev/zero", results], status: 64, mentions: ["--gt /dev/zero: is a device"], "evaluate --gt /dev/zero")
        try refusal("detect-eval", ["--gt", gt, "/dev/urandom"], status: 64, mentions: ["RESULTS /dev/urandom: is a device"],
                    "evaluate RESULTS=/dev/urandom")
        try refusal("lvis-prep", ["convert", "--annotations", shards, "--images", scratch, "--out", scratch + "/o"], status: 64,
                    mentions: ["--annotations \(shards): is a directory"], "convert --annotations DIR")
        try refusal("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--images", gt, "--out", scratch + "/r"], status: 64,
                    mentions: ["--images \(gt): is a regular file, not a folder"], "report --images FILE")
        // A pipe as a shard folder's manifest blocked the reader forever; a link to a device
        // as a shard would be mapped.
        XCTAssertEqual(unlink(shards + "/manifest.json"), 0)
        XCTAssertEqual(mkfifo(shards + "/manifest.json", 0o600), 0)
        try refusal("lvis-prep", ["verify", shards], status: 64, mentions: ["manifest.json is a pipe (FIFO), not a file"],
                    "verify SHARDS-WITH-FIFO-MANIFEST")
        let other = scratch + "/shards-b"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        XCTAssertEqual(symlink("/dev/zero", other + "/shard-00000.bin"), 0)
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", other], status: 64,
                    mentions: ["shard-00000.bin is a device"], "predict --data SHARDS-WITH-DEVICE-SHARD")
        let rerun = scratch + "/rerun"
        try FileManager.default.createDirectory(atPath: rerun, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(rerun + "/shard-00000.json", 0o600), 0)
        try refusal("lvis-prep", ["convert", "--annotations", gt, "--images", scratch, "--out", rerun], status: 64,
                    mentions: ["shard-00000.json is a pipe"], "convert --out FOLDER-WITH-A-FIFO-SHARD-SUMMARY")
        try refusal("detect-train", ["predict", "--checkpoint", checkpoint, "--data", scratch + "/none"], status: 74,
                    mentions: ["no such folder", "--data"], "predict --data MISSING")
    }

    // MARK: Unbounded reads

    /// Makes a FIFO that a thread fills with `pattern` until the reader goes away (or 90 s).
    private func endlessFIFO(_ name: String, pattern: [UInt8]) -> String {
        let path = scratch + "/" + name
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        let chunk = [UInt8]((0..<(1 << 16)).map { pattern[$0 % pattern.count] })
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(90)
            var descriptor: Int32 = -1
            while descriptor < 0 && Date() < deadline {
                descriptor = open(path, O_WRONLY | O_NONBLOCK)   // fails (ENXIO) until the tool opens it
                if descriptor < 0 { usleep(10_000) }
            }
            guard descriptor >= 0 else { return }
            _ = fcntl(descriptor, F_SETFL, 0)   // blocking writes from here on
            while Date() < deadline {
                let written = chunk.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 { break }   // EPIPE: the tool stopped reading
            }
            close(descriptor)
        }
        return path
    }

    func testStreamsAreBoundedAndRefusedAtTheirFirstBytes() throws {
        let (gt, results) = try evaluationFiles()
        let zeros = Data(count: 16 << 20)
        try refusal("detect-eval", ["--gt", gt, "-"], stdin: zeros, status: 1, mentions: ["-: byte 0 is a NUL byte", "hint:"],
                    "evaluate --gt G - < 16 MiB of zeros")
        try refusal("detect-eval", ["--gt", "-", results], stdin: zeros, status: 1, mentions: ["-: byte 0 is a NUL byte"],
                    "evaluate --gt - < zeros")
        try refusal("lvis-prep", ["convert", "--annotations", "-", "--images", scratch, "--out", scratch + "/o"], stdin: zeros,
                    status: 1, mentions: ["byte 0 is a NUL byte"], "convert --annotations - < zeros")
        try refusal("detect-eval", ["--gt", gt, "-"], stdin: Data(repeating: UInt8(ascii: "y"), count: 4 << 20), status: 1,
                    mentions: ["does not start with a JSON object or array", "found 'y'"], "evaluate - < yyyy...")
        // Endless streams (`<(cat /dev/zero)`, `<(yes '')`): refused without reading them whole.
        try refusal("detect-eval", ["--gt", gt, endlessFIFO("zeros", pattern: [0])], status: 1,
                    mentions: ["byte 0 is a NUL byte"], "evaluate RESULTS=<(cat /dev/zero)")
        try refusal("detect-eval", ["--gt", gt, endlessFIFO("blank", pattern: Array("\n".utf8))], status: 1,
                    mentions: ["more than 1 MiB of whitespace"], "evaluate RESULTS=<(yes '')")
        try refusal("detect-eval", ["--gt", endlessFIFO("garbage", pattern: Array("y\n".utf8)), results], status: 1,
                    mentions: ["found 'y'"], "evaluate --gt <(yes)")
    }

    // MARK: Command-line integers

    func testIntegerOptionsOutsideTheirRangeAreUsageErrors() throws {
        let (gt, results) = try evaluationFiles()
        let (checkpoint, shards, config) = try junkTrainingInputs()
        let out = scratch + "/o"
        let convert: [String] = ["convert", "--annotations", gt, "--images", scratch, "--out", out]
        let predict = ["predict", "--checkpoint", checkpoint, "--data", shards]
        let fit = ["fit", "--config", config, "--train", shards, "--out", out]
        let finetune = ["fit", "--config", config, "--from", checkpoint, "--train", shards, "--out", out]
        let report = ["report", "--gt", gt, "--model", "a=" + results, "--out", out]
        let max = "\(Int.max)", min = "\(Int.min)"
        let cases: [(String, [String], String)] = [
            ("lvis-prep", convert + ["--records-per-shard", max], "--records-per-shard"),
            ("lvis-prep", convert + ["--num-shards", max], "--num-shards"),
            ("lvis-prep", convert + ["--num-shards", "2", "--shard-index", max], "--shard-index"),
            ("lvis-prep", convert + ["--shard-index", min], "--shard-index must be in 0..<1 (got \(Int.min))"),
            ("lvis-prep", convert + ["--max-size", max], "--max-size"),
            ("lvis-prep", convert + ["--max-size", "800,\(max)"], "--max-size"),
            ("lvis-prep", convert + ["--jpeg-quality", max], "--jpeg-quality"),
            ("lvis-prep", convert + ["--threads", max], "--threads"),
            ("lvis-prep", ["synth", "--out", out, "--train-images", max], "--train-images"),
            ("lvis-prep", ["synth", "--out", out, "--val-images", max], "--val-images"),
            ("lvis-prep", ["synth", "--out", out, "--train-images", "1000001"], "--train-images"),
            ("lvis-prep", ["verify", shards, "--threads", max], "--threads"),
            ("detect-train", fit + ["--iterations", max], "--iterations"),
            ("detect-train", fit + ["--threads", max], "--threads"),
            ("detect-train", predict + ["--batch", max], "--batch"),
            ("detect-train", predict + ["--num-shards", max], "--num-shards"),
            ("detect-train", predict + ["--num-shards", "2", "--shard-index", max], "--shard-index"),
            ("detect-train", predict + ["--threads", max], "--threads"),
            ("detect-train", predict + ["--per-class-topk", max], "--per-class-topk"),
            ("detect-train", predict + ["--per-class-topk", "0"], "--per-class-topk"),
            ("detect-train", predict + ["--per-class-topk", "5", "--num-shards", "2"], "--per-class-topk"),
            ("detect-train", fit + ["--val-every", max, "--val", shards, "--val-gt", gt], "--val-every"),
            ("lvis-prep", ["synth", "--out", out, "--categories", "2"], "--categories"),
            ("lvis-prep", ["synth", "--out", out, "--categories", max], "--categories"),
            ("lvis-prep", ["synth", "--out", out, "--imbalance", "11"], "--imbalance"),
            ("lvis-prep", ["synth", "--out", out, "--imbalance", "nan"], "--imbalance"),
            ("loce-finetune", finetune + ["--iterations", max], "--iterations"),
            ("loce-finetune", finetune + ["--threads", max], "--threads"),
            ("detect-eval", ["--gt", gt, results, "--threads", max], "--threads"),
            ("detect-eval", report + ["--grid-images", max], "--grid-images"),
            ("detect-eval", report + ["--max-per-image", max], "--max-per-image"),
            ("detect-eval", report + ["--grid-images", min], "--grid-images"),
            ("detect-train", predict + ["--batch", "-1"], "--batch must be at least 1 (got -1)"),
            // One past Int.max does not parse: the same usage error.
            ("detect-train", predict + ["--batch", "9223372036854775808"], "--batch"),
            ("lvis-prep", convert + ["--records-per-shard", "9223372036854775808"], "--records-per-shard"),
        ]
        for (tool, arguments, option) in cases {
            try refusal(tool, arguments, status: 64, mentions: [option], "\(tool) \(arguments.suffix(2).joined(separator: " "))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing was written")
    }

    // MARK: Left behind

    /// Starts `tool` with `arguments`; stderr goes to a file (read after it ends).
    private func start(_ tool: String, _ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = ToolRunner.binaryDirectory.appendingPathComponent(tool)
        process.arguments = arguments
        let errPath = scratch + "/\(tool)-\(UUID().uuidString).stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errPath)
    }

    /// Waits until `condition` holds (polling), at most `seconds`.
    private func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func testAnInterruptedSynthLeavesNothingAndALaterRunRemovesWhatAKilledOneLeft() throws {
        let out = scratch + "/synth"
        let abandoned = [".synth-partial-\(Self.hostName)-\(Self.deadPID)", ".synth-partial-\(Self.deadPID)"]
        for name in abandoned { try FileManager.default.createDirectory(atPath: out + "/" + name + "/train2017", withIntermediateDirectories: true) }
        let (process, errPath) = try start("lvis-prep", ["synth", "--out", out, "--train-images", "400", "--val-images", "4", "--threads", "2"])
        let staging = out + "/.synth-partial-\(Self.hostName)-\(process.processIdentifier)/train2017"
        let rendering = waitUntil(60) { !entries(staging).isEmpty }
        process.interrupt()   // SIGINT
        process.waitUntilExit()
        let stderr = String(decoding: contents(errPath) ?? Data(), as: UTF8.self)
        XCTAssertTrue(rendering, "synth never started rendering: \(stderr)")
        XCTAssertEqual(process.terminationReason, .exit, stderr)
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("stopped by SIGINT before every image was rendered; nothing was written"), stderr)
        XCTAssertEqual(entries(out), [], "no staging folder, no images, no json; the dead processes' folders removed")
    }

    func testAStoppedOrFailedReportLeavesNoChartsWithoutItsReport() throws {
        let (gt, results) = try evaluationFiles()
        let out = scratch + "/report"
        let abandoned = ".report-partial-\(Self.hostName)-\(Self.deadPID)"
        try FileManager.default.createDirectory(atPath: out + "/" + abandoned, withIntermediateDirectories: true)
        try write(out + "/" + abandoned + "/pr-a.png", "left by a killed run")
        // A second model that is not a results file fails after the first one's PR curves.
        let failed = try ToolRunner.run("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--model", "b=" + gt, "--out", out])
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertEqual(entries(out), [], "no PNG of model a, and the killed run's folder removed")

        // Stopped: --train-gt is a pipe the report waits on after evaluating; SIGTERM arrives
        // while it waits, then the pipe is fed, and the report stops before publishing.
        let trainPipe = scratch + "/train.json"
        XCTAssertEqual(mkfifo(trainPipe, 0o600), 0)
        let (process, errPath) = try start("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--train-gt", trainPipe, "--out", out])
        let staging = out + "/.report-partial-\(Self.hostName)-\(process.processIdentifier)"
        let charted = waitUntil(60) { entries(staging).contains("pr-a.png") }
        process.terminate()   // SIGTERM
        usleep(200_000)
        var feeder: Int32 = -1
        _ = waitUntil(10) {
            feeder = open(trainPipe, O_WRONLY | O_NONBLOCK)   // ENXIO until the report opens it
            return feeder >= 0
        }
        if feeder >= 0 {
            _ = fcntl(feeder, F_SETFL, 0)
            let text = [UInt8](contents(gt) ?? Data())
            _ = text.withUnsafeBytes { Glibc.write(feeder, $0.baseAddress, $0.count) }
            close(feeder)
        }
        process.waitUntilExit()
        let stderr = String(decoding: contents(errPath) ?? Data(), as: UTF8.self)
        XCTAssertTrue(charted, "the report never wrote its first chart: \(stderr)")
        XCTAssertEqual(process.terminationReason, .exit, stderr)
        XCTAssertEqual(process.terminationStatus, 143, stderr)
        XCTAssertTrue(stderr.contains("stopped by SIGTERM before the report was complete; nothing was written"), stderr)
        XCTAssertEqual(entries(out), [], "no PNG without report.md, no staging folder")

        // The same command, not stopped, publishes the whole report.
        let done = try ToolRunner.run("detect-eval", ["report", "--gt", gt, "--model", "a=" + results, "--out", out, "--quiet"])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertEqual(entries(out), ["ap-per-frequency.png", "confusion-a.png", "pr-a.png", "report.md", "tide.png"])
    }
}
