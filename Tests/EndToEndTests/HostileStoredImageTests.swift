// Issue "Hostile input", decompression bombs in crafted shards: a record may state a stored
// size up to 2^28 pixels (the decoders' limit), so a 30 KB JPEG whose header says 16384 x
// 16384 made fit, predict and verify decode 805 MB. The manifest now records the convert
// settings that bound every stored image (maxPixels, --max-size; allowOutsideImages), and
// every reader refuses a record past them, naming it, before any pixel is decoded; a folder
// whose settings do not record them (an older lvis-prep) is refused with the re-convert hint,
// and the same convert command brings it up to date, keeping its shards.
import Foundation
import XCTest

final class HostileStoredImageTests: XCTestCase {
    static var scratch = ""
    static var config = ""
    static var checkpoint = ""
    /// A real synth JPEG (64 x 48 or so) whose frame header is patched to 16384 x 16384.
    static var bomb: [UInt8] = []
    var scratch: String { Self.scratch }

    override class func setUp() {
        super.setUp()
        scratch = NSTemporaryDirectory() + "hostile-stored-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let honest = try HostileShardFolder.write(at: scratch + "/honest")
            config = try FastConfig.write("smoke", into: scratch)
            let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", honest.path, "--out", scratch + "/run",
                                                          "--iterations", "1", "--threads", "2", "--quiet"])
            if fit.status != 0 { print("fit on the honest folder failed: \(fit.stderr)") }
            checkpoint = scratch + "/run/checkpoint.safetensors"
            let synth = scratch + "/synth"
            let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "4", "--val-images", "1", "--quiet"])
            if made.status != 0 { print("synth failed: \(made.stderr)") }
            let folder = synth + "/train2017"
            let name = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().first { $0.hasSuffix(".jpg") } ?? ""
            bomb = patchFrameSize([UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))), width: 16384, height: 16384)
        } catch {
            print("hostile stored-image fixture: \(error)")
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    /// The JPEG with its baseline or progressive frame header (SOF0/SOF2) saying `width` x `height`.
    static func patchFrameSize(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var bytes = jpeg
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { i += 1; continue }
            let marker = bytes[i + 1]
            if marker == 0xC0 || marker == 0xC2 {
                bytes[i + 5] = UInt8(height >> 8); bytes[i + 6] = UInt8(height & 0xFF)
                bytes[i + 7] = UInt8(width >> 8); bytes[i + 8] = UInt8(width & 0xFF)
                return bytes
            }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        XCTFail("no frame header in the synth JPEG")
        return bytes
    }

    /// Record 1 of the honest folder (same id and instances) as a JPEG record of `jpeg`, stored
    /// at `stored` and originally `original` pixels.
    static func jpegRecord(_ jpeg: [UInt8], original: (UInt32, UInt32), stored: (UInt32, UInt32)) -> [UInt8] {
        typealias B = HostileShardBytes
        let name = Array("img1.jpg".utf8)
        var bytes = B.le(Int64(1)) + B.le(UInt32(name.count)) + name
        bytes += B.le(original.0) + B.le(original.1) + B.le(stored.0) + B.le(stored.1) + [0] + B.le(UInt32(jpeg.count)) + jpeg
        bytes += B.le(UInt32(0)) + B.le(UInt32(0))
        let record = HostileShardFolder.honest[0][0]
        bytes += B.le(UInt32(record.instances.count))
        for (number, instance) in record.instances.enumerated() {
            bytes += B.le(Int64(10 + number)) + B.le(instance.classIndex) + [0] + instance.box.flatMap { B.le($0.bitPattern) }
            let (x1, y1, x2, y2) = (instance.box[0], instance.box[1], instance.box[2], instance.box[3])
            bytes += [1] + B.le(UInt32(1)) + B.le(UInt32(8)) + [x1, y1, x2, y1, x2, y2, x1, y2].flatMap { B.le($0.bitPattern) }
        }
        return bytes
    }

    /// The honest folder with record 0 of shard 0 replaced by `payload`, the manifest edited.
    func folder(_ name: String, record payload: [UInt8], edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let path = scratch + "/" + name
        try HostileShardFolder.write(at: path, shardBytes: { index, records in
            HostileShardBytes.shard(index == 0 ? [payload] + records.dropFirst().map(\.payload) : records.map(\.payload))
        }, edit: edit)
        return path
    }

    func readers(_ folder: String) -> [(String, String, [String])] {
        [("verify", "lvis-prep", ["verify", folder]),
         ("predict", "detect-train", ["predict", "--checkpoint", Self.checkpoint, "--data", folder, "--threads", "2"]),
         ("fit", "detect-train", ["fit", "--config", Self.config, "--train", folder, "--out", scratch + "/fit-\(UInt32.random(in: 0...UInt32.max))",
                                  "--iterations", "2", "--threads", "2"])]
    }

    func refused(_ label: String, _ tool: String, _ arguments: [String], mentions: [String],
                 file: StaticString = #filePath, line: UInt = #line) throws -> BoundedRun {
        let run = try ToolRunner.runBounded(tool, arguments)
        print("HostileStoredImageTests: \(label): \(run.summary.prefix(400))")
        ToolRunner.assertCleanRefusal(run, status: 1, mentions: mentions, label, file: file, line: line)
        return run
    }

    /// The 16384 x 16384 JPEG record (2^28 pixels, within the format's limit) in a folder made
    /// with the default --max-pixels 1638400: refused by every reader naming the shard, the
    /// record and the limit, in well under the 805 MB its pixels would take.
    func testADecompressionBombRecordIsRefusedBeforeDecoding() throws {
        XCTAssertFalse(Self.bomb.isEmpty)
        let path = try folder("bomb", record: Self.jpegRecord(Self.bomb, original: (16384, 16384), stored: (16384, 16384)))
        for (name, tool, arguments) in readers(path) {
            let run = try refused("16384^2 JPEG record, \(name)", tool, arguments,
                                  mentions: [path + "/shard-00000.bin", "record 0 (image id 1)",
                                             "original size 16384x16384 = 268435456 pixels is over the folder's maxPixels 1638400"])
            XCTAssertLessThan(run.peakResidentBytes, 200 << 20, "\(name): no pixel buffer of the bomb: \(run.summary)")
        }
    }

    /// A record larger than the folder's --max-size box (stored 128 x 96 in a folder made with
    /// --max-size 64,80): refused naming the record, for a JPEG of that very size too.
    func testARecordOutsideTheMaxSizeBoxIsRefused() throws {
        let jpeg = Self.patchFrameSize(Self.bomb, width: 128, height: 96)
        let path = try folder("box", record: Self.jpegRecord(jpeg, original: (256, 192), stored: (128, 96))) { manifest in
            var settings = manifest["settings"] as! [String: Any]
            settings["maxShortSide"] = 64
            settings["maxLongSide"] = 80
            manifest["settings"] = settings
        }
        _ = try refused("stored 128x96 under --max-size 64,80, verify", "lvis-prep", ["verify", path],
                        mentions: [path + "/shard-00000.bin", "record 0 (image id 1)", "stored size 128x96 has a short side over the folder's --max-size 64"])
    }

    /// Settings without maxPixels (what lvis-prep wrote before): every reader asks to re-convert;
    /// the same convert command keeps both shards (they verify and fit its limits) and records
    /// the settings; a re-run with another --max-pixels is refused as other settings.
    func testFoldersWithoutTheImageLimitAreReconvertedKeepingTheirShards() throws {
        let synth = scratch + "/synth", out = scratch + "/older"
        let convert = ["convert", "--annotations", synth + "/lvis_v1_train.json", "--images", synth, "--out", out, "--max-size", "64,80",
                       "--records-per-shard", "2", "--quiet"]
        XCTAssertEqual(try ToolRunner.run("lvis-prep", convert).status, 0)
        let before = try (0..<2).map { try Data(contentsOf: URL(fileURLWithPath: out + String(format: "/shard-%05d.bin", $0))) }
        for file in ["manifest.json", "prep-plan.json"] {
            try editJSON(out + "/" + file) { object in
                var settings = object["settings"] as! [String: Any]
                settings["maxPixels"] = nil
                settings["allowOutsideImages"] = nil
                object["settings"] = settings
            }
        }
        for (name, tool, arguments) in readers(out) {
            _ = try refused("settings without maxPixels, \(name)", tool, arguments,
                            mentions: [out + "/manifest.json", "settings", "made by an older lvis-prep", "re-convert"])
        }
        let rerun = try ToolRunner.runBounded("lvis-prep", convert)
        print("HostileStoredImageTests: convert re-run over settings without maxPixels: \(rerun.summary.prefix(200))")
        XCTAssertEqual(rerun.status, 0, rerun.summary)
        XCTAssertTrue(rerun.stdout.contains("\"shardsKept\":2"), rerun.stdout)
        for unit in 0..<2 {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + String(format: "/shard-%05d.bin", unit))), before[unit])
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
        let settings = manifest?["settings"] as? [String: Any]
        XCTAssertEqual(settings?["maxPixels"] as? Int, 1_638_400)
        XCTAssertEqual(settings?["allowOutsideImages"] as? Bool, false)
        XCTAssertEqual(try ToolRunner.run("lvis-prep", ["verify", out]).status, 0)
        _ = try refused("re-run with another --max-pixels", "lvis-prep", convert + ["--max-pixels", "5000"],
                        mentions: [out + "/prep-plan.json", "made with other settings"])
    }

    func editJSON(_ path: String, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }
}
