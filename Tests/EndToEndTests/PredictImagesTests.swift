// `detect-train predict --images` as a user runs it, on real coco128 photos with a smoke
// checkpoint trained one iteration on them: the same bytes as `lvis-prep convert` + predict
// --data (JPEGs with convert's defaults, PNGs with --encoding raw); a folder, a list file and
// stdin; ids 1..N with the id map, or from --image-ids; a truncated JPEG skipped with exit 2
// and the others written; --draw pictures (JPEG); and the usage errors.
import Foundation
import SharedData
import XCTest

final class PredictImagesTests: XCTestCase {
    static var scratch = ""
    static var checkpoint = ""
    /// Shards of the four photos converted with lvis-prep's defaults.
    static var shards = ""
    static let subset = LvisPrepTests.cocoSubset
    static let json = subset + "/annotations/instances_train2017.json"
    static let photos = subset + "/train2017"
    static let names = ["000000000030.jpg", "000000000086.jpg", "000000000508.jpg", "000000000544.jpg"]
    var scratch: String { Self.scratch }

    override class func setUp() {
        super.setUp()
        scratch = NSTemporaryDirectory() + "predict-images-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            shards = scratch + "/shards"
            let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", json, "--images", photos, "--out", shards, "--quiet"])
            if convert.status != 0 { print("convert failed: \(convert.stderr)") }
            let config = try FastConfig.write("smoke", into: scratch)
            let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", shards, "--out", scratch + "/run",
                                                          "--iterations", "1", "--threads", "2", "--quiet"])
            if fit.status != 0 { print("fit failed: \(fit.stderr)") }
            checkpoint = scratch + "/run/checkpoint.safetensors"
        } catch {
            print("predict --images fixture: \(error)")
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    /// A fresh folder under the scratch folder.
    func folder(_ name: String) throws -> String {
        let path = scratch + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `predict` with the checkpoint, 2 threads, quiet, at most 5 detections per image (fast).
    func predict(_ arguments: [String], stdin: Data? = nil) throws -> ToolRun {
        try ToolRunner.run("detect-train", ["predict", "--checkpoint", Self.checkpoint, "--threads", "2", "--quiet",
                                            "--set", "test.maxDetectionsPerImage=5"] + arguments, stdin: stdin)
    }

    func jsonArray(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], String(text.prefix(300)), file: file, line: line)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func bytes(_ path: String) -> [UInt8]? { (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) } }

    /// The photos' detections from files equal those from the converted shards byte for byte:
    /// the JPEGs against convert's defaults (their bytes are stored), PNG copies against
    /// convert --encoding raw.
    func testImagesGiveTheBytesOfConvertAndPredictData() throws {
        // At --batch 2 (batches of 1 and 2 are compared float for float in DataTests' ImageFileInputTests).
        let jpegShards = try predict(["--data", Self.shards, "--batch", "2"])
        XCTAssertEqual(jpegShards.status, 0, jpegShards.stderr)
        XCTAssertGreaterThan(try jsonArray(jpegShards.stdout).count, 0)
        let jpegFiles = try predict(["--images", Self.photos, "--image-ids", Self.json, "--batch", "2"])
        XCTAssertEqual(jpegFiles.status, 0, jpegFiles.stderr)
        XCTAssertEqual(jpegFiles.stdout, jpegShards.stdout, "JPEG with convert's defaults")
        // PNG copies of the photos, converted losslessly.
        let pngs = try folder("png")
        var gt = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.json))) as? [String: Any])
        var images = try XCTUnwrap(gt["images"] as? [[String: Any]])
        for index in images.indices {
            let name = try XCTUnwrap(images[index]["file_name"] as? String)
            let decoded = try JPEGCodec.decode(try XCTUnwrap(Self.bytes(Self.photos + "/" + name)))
            let png = String(name.dropLast(4)) + ".png"
            try Data(PNGCodec.encode(decoded)).write(to: URL(fileURLWithPath: pngs + "/" + png))
            images[index]["file_name"] = png
        }
        gt["images"] = images
        let pngJSON = scratch + "/png.json"
        try JSONSerialization.data(withJSONObject: gt).write(to: URL(fileURLWithPath: pngJSON))
        let raw = scratch + "/png-shards-\(UInt32.random(in: 0...UInt32.max))"
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", pngJSON, "--images", pngs, "--out", raw,
                                                        "--encoding", "raw", "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let fromShards = try predict(["--data", raw, "--batch", "2"])
        let fromFiles = try predict(["--images", pngs, "--image-ids", pngJSON, "--batch", "2"])
        XCTAssertEqual(fromShards.status, 0, fromShards.stderr)
        XCTAssertEqual(fromFiles.status, 0, fromFiles.stderr)
        XCTAssertGreaterThan(try jsonArray(fromFiles.stdout).count, 0)
        XCTAssertEqual(fromFiles.stdout, fromShards.stdout, "PNG with --encoding raw")
    }

    /// A folder, a list file (in its own order) and stdin: ids 1..N in input order, the id map
    /// beside --out by default or where --id-map says, usable as a COCO `images` list.
    func testFolderListAndStdinWithTheIDMap() throws {
        let out = try folder("ids")
        let fromFolder = try predict(["--images", Self.photos, "--out", out + "/dets.json"])
        XCTAssertEqual(fromFolder.status, 0, fromFolder.stderr)
        let map = try jsonArray(try read(out + "/dets.images.json"))
        XCTAssertEqual(map.map { $0["id"] as? Int }, [1, 2, 3, 4])
        XCTAssertEqual(map.map { $0["file_name"] as? String }, Self.names)
        XCTAssertEqual(map.map { $0["path"] as? String }, Self.names.map { Self.photos + "/" + $0 })
        XCTAssertEqual(map.map { [$0["width"] as? Int, $0["height"] as? Int] }, [[640, 428], [512, 640], [640, 480], [640, 427]])
        let results = try jsonArray(try read(out + "/dets.json"))
        XCTAssertEqual(Set(results.compactMap { $0["image_id"] as? Int }), [1, 2, 3, 4])

        // A list in another order (with a blank line and CRLF) and the same list on stdin.
        let order = [2, 0, 3, 1]
        let list = order.map { Self.photos + "/" + Self.names[$0] }.joined(separator: "\r\n") + "\n\n"
        try list.write(toFile: out + "/list.txt", atomically: true, encoding: .utf8)
        let fromList = try predict(["--images", out + "/list.txt", "--id-map", out + "/list-ids.json"])
        XCTAssertEqual(fromList.status, 0, fromList.stderr)
        let listMap = try jsonArray(try read(out + "/list-ids.json"))
        XCTAssertEqual(listMap.map { $0["file_name"] as? String }, order.map { Self.names[$0] })
        XCTAssertEqual(listMap.map { $0["id"] as? Int }, [1, 2, 3, 4])
        let fromStdin = try predict(["--images", "-", "--id-map", out + "/stdin-ids.json"], stdin: Data(list.utf8))
        XCTAssertEqual(fromStdin.status, 0, fromStdin.stderr)
        XCTAssertEqual(fromStdin.stdout, fromList.stdout)
        XCTAssertEqual(try read(out + "/stdin-ids.json"), try read(out + "/list-ids.json"))
        // The list's image 1 is the folder's image 3: the same detections under the other id.
        let byID = { (text: String, id: Int) throws -> [[String: Any]] in try self.jsonArray(text).filter { $0["image_id"] as? Int == id } }
        let folderThird = try byID(try read(out + "/dets.json"), 3), listFirst = try byID(fromList.stdout, 1)
        XCTAssertEqual(folderThird.count, listFirst.count)
        XCTAssertGreaterThan(listFirst.count, 0)
        for (a, b) in zip(folderThird, listFirst) {
            XCTAssertEqual(a["bbox"] as? [Double], b["bbox"] as? [Double])
            XCTAssertEqual(a["score"] as? Double, b["score"] as? Double)
        }
        // --image-ids: the json's ids; an image it does not list is an error naming it.
        let withIDs = try predict(["--images", Self.photos, "--image-ids", Self.json])
        XCTAssertEqual(withIDs.status, 0, withIDs.stderr)
        XCTAssertEqual(Set(try jsonArray(withIDs.stdout).compactMap { $0["image_id"] as? Int }), [30, 86, 508, 544])
        try FileManager.default.copyItem(atPath: Self.photos + "/" + Self.names[0], toPath: out + "/holiday.jpg")
        let unlisted = try predict(["--images", "-", "--image-ids", Self.json, "--out", out + "/never.json"],
                                   stdin: Data((Self.photos + "/" + Self.names[1] + "\n" + out + "/holiday.jpg\n").utf8))
        XCTAssertEqual(unlisted.status, 1, unlisted.stderr)
        XCTAssertTrue(unlisted.stderr.contains("holiday.jpg") && unlisted.stderr.contains("instances_train2017.json"), unlisted.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/never.json"))
    }

    /// A truncated JPEG (and a text file named .jpg) among the photos: each named on stderr
    /// with its reason, the run finishes with exit 2, and the other photos' detections are
    /// those of a folder without them (the batches refilled), with the id map naming them.
    func testTruncatedJPEGIsSkippedWithExit2AndTheOthersWritten() throws {
        let photos = try folder("with-bad")
        for name in Self.names { try FileManager.default.copyItem(atPath: Self.photos + "/" + name, toPath: photos + "/" + name) }
        let bytes = try XCTUnwrap(Self.bytes(Self.photos + "/" + Self.names[1]))
        try Data(bytes.prefix(5000)).write(to: URL(fileURLWithPath: photos + "/000000000100.jpg"))
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: photos + "/000000000200.JPG"))
        let out = try folder("out")
        let run = try predict(["--images", photos, "--out", out + "/dets.json", "--batch", "2"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains(photos + "/000000000100.jpg: Premature end of JPEG file (truncated-image)"), run.stderr)
        XCTAssertTrue(run.stderr.contains(photos + "/000000000200.JPG: neither a JPEG nor a PNG file (unknown-image-format)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("2 of the 6 images could not be read and were skipped"), run.stderr)
        let map = try jsonArray(try read(out + "/dets.images.json"))
        XCTAssertEqual(map.map { $0["file_name"] as? String }, Self.names)
        XCTAssertEqual(map.map { $0["id"] as? Int }, [1, 2, 5, 6], "a skipped file's id stays unused")

        let clean = try predict(["--images", Self.photos, "--batch", "2", "--id-map", out + "/clean-ids.json"])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        // Same detections per file name (ids differ where the bad files sat).
        func byName(_ results: [[String: Any]], map: [[String: Any]]) -> [String] {
            let names = Dictionary(uniqueKeysWithValues: map.map { ($0["id"] as! Int, $0["file_name"] as! String) })
            return results.map { result in
                var copy = result
                copy["image_id"] = names[result["image_id"] as! Int]
                return String(decoding: try! JSONSerialization.data(withJSONObject: copy, options: .sortedKeys), as: UTF8.self)
            }
        }
        let written = byName(try jsonArray(try read(out + "/dets.json")), map: map)
        XCTAssertGreaterThan(written.count, 0)
        XCTAssertEqual(written, byName(try jsonArray(clean.stdout), map: try jsonArray(try read(out + "/clean-ids.json"))))
    }

    /// --draw: one JPEG per photo, the photo's size, the pixels along each drawn box's left
    /// edge changed, pixels away from every detection those of the photo encoded alone; no
    /// staging folder left.
    func testDrawWritesOnePictureOfEachPhoto() throws {
        let out = try folder("draw")
        let pictures = out + "/drawn"
        let run = try predict(["--images", Self.photos, "--out", out + "/dets.json", "--draw", pictures, "--draw-threshold", "0",
                               "--set", "test.maxDetectionsPerImage=2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: pictures).sorted(),
                       Self.names.map { String($0.dropLast(4)) + ".jpg" })
        let results = try jsonArray(try read(out + "/dets.json"))
        var checkedBoxes = 0
        func difference(_ a: RGBColor, _ b: RGBColor) -> Int {
            abs(Int(a.red) - Int(b.red)) + abs(Int(a.green) - Int(b.green)) + abs(Int(a.blue) - Int(b.blue))
        }
        for (index, name) in Self.names.enumerated() {
            let original = try JPEGCodec.decode(try XCTUnwrap(Self.bytes(Self.photos + "/" + name)))
            let drawn = try JPEGCodec.decode(try XCTUnwrap(Self.bytes(pictures + "/" + String(name.dropLast(4)) + ".jpg")))
            XCTAssertEqual([drawn.width, drawn.height], [original.width, original.height], name)
            let boxes = try results.filter { $0["image_id"] as? Int == index + 1 }.map { try XCTUnwrap($0["bbox"] as? [Double]) }
            XCTAssertEqual(boxes.count, 2, name)
            // Each box's left edge (a 2-pixel outline in the category's colour), sampled along its height.
            for box in boxes {
                let x = min(original.width - 1, max(0, Int(box[0].rounded(.up))))
                let rows = Array(stride(from: Int(box[1]) + 4, to: min(original.height, Int(box[1] + box[3]) - 4), by: 3))
                guard rows.count >= 3 else { continue }
                checkedBoxes += 1
                let changed = rows.filter { difference(drawn[x, $0], original[x, $0]) > 40 }.count
                XCTAssertGreaterThan(Double(changed), 0.8 * Double(rows.count), "\(name): outline of box \(box)")
            }
            // Away from the boxes (and their labels, at most 300 x 30 pixels above a box's left
            // corner or inside its top, shifted left at the right edge), by more than the 16-pixel
            // JPEG blocks, the picture is the photo encoded the same way, exactly.
            let reencoded = try JPEGCodec.decode(JPEGCodec.encode(original, quality: 90))
            var samples = 0, differing = 0
            for y in stride(from: 0, to: original.height, by: 5) {
                for x in stride(from: 0, to: original.width, by: 5) {
                    let covered = boxes.contains { b in
                        let left = min(b[0], Double(original.width) - 300) - 32, right = b[0] + max(b[2], 300) + 32
                        return Double(x) >= left && Double(x) <= right && Double(y) >= b[1] - 62 && Double(y) <= b[1] + b[3] + 32
                    }
                    guard !covered else { continue }
                    samples += 1
                    if drawn[x, y] != reencoded[x, y] { differing += 1 }
                }
            }
            XCTAssertGreaterThan(samples, 300, name)
            XCTAssertEqual(differing, 0, "\(name): pixels away from the detections changed")
        }
        XCTAssertGreaterThan(checkedBoxes, 3, "boxes tall enough to sample their outline")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: pictures).contains { $0.hasPrefix(".") }, "staging left behind")
    }

    /// Usage errors (64) are refused before any work, with a message naming what to do.
    func testUsageErrors() throws {
        let out = try folder("usage")
        let cases: [([String], String)] = [
            (["--images", Self.photos], "--id-map"),
            (["--images", Self.photos, "--data", Self.shards], "exclude each other"),
            (["--data", Self.shards, "--draw", out + "/d"], "--draw goes with --images"),
            (["--images", Self.photos, "--out", out + "/a.json", "--num-shards", "2"], "--num-shards"),
            (["--images", Self.photos, "--out", out + "/a.json", "--per-class-topk", "10"], "--per-class-topk"),
            (["--images", Self.photos, "--out", out + "/a.json", "--draw-threshold", "1.5"], "--draw-threshold"),
            (["--images", Self.photos, "--out", out + "/a.json", "--id-map", out + "/a.json"], "--id-map"),
            (["--images", Self.photos, "--out", out + "/a.json", "--draw", Self.photos], "input folder"),
            (["--images", "/dev/null", "--out", out + "/a.json"], "/dev/null"),
            ([], "--data SHARDS or --images"),
        ]
        for (arguments, mention) in cases {
            let run = try predict(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(mention), "\(arguments): \(run.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/a.json"))
        let missing = try predict(["--images", out + "/nothing-here", "--out", out + "/a.json"])
        XCTAssertEqual(missing.status, 74, missing.stderr)
        let help = try ToolRunner.run("detect-train", ["predict", "--help"])
        XCTAssertEqual(help.status, 0)
        for option in ["--images", "--image-ids", "--id-map", "--draw", "--draw-threshold", "--max-pixels"] {
            XCTAssertTrue(help.stdout.contains(option), option)
        }
    }
}
