// `lvis-prep convert` on hostile images and annotations (issue "Hostile input", part "convert:
// images and annotations"), each run under the bounded runner at the default thread count:
// a clean exit 1/2/64 naming the file, the record and what to do, <= 1 GiB and <= 60 s.
// The image files come from Tests/DataTests/Fixtures (scripts/fixtures/make_image_fixtures.c).
import Foundation
import XCTest

final class HostileConvertTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DataTests/Fixtures").path
    var scratch = ""
    var images: String { scratch + "/data/images" }

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "hostile-convert-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for name in ["grey_16x16.jpg", "two_components_16x16.jpg", "header_20000x20000.jpg", "header_65500x65500.jpg",
                     "header_16384x16384.png"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: images + "/" + name)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    /// Writes `json` (its images list and annotations; one category unless given) and runs
    /// convert on it with `extra` arguments, bounded; prints what the run cost.
    func convert(_ label: String, images list: String, annotations: String = "", categories: String = #"[{"id": 1, "name": "thing"}]"#,
                 extra: [String] = []) throws -> (run: BoundedRun, json: String, out: String) {
        let json = scratch + "/\(label).json"
        try #"{"images": [\#(list)], "annotations": [\#(annotations)], "categories": \#(categories)}"#
            .write(toFile: json, atomically: true, encoding: .utf8)
        let out = scratch + "/out-\(label)"
        let run = try ToolRunner.runBounded("lvis-prep", ["convert", "--annotations", json, "--images", images, "--out", out] + extra)
        print("hostile convert \(label): exit \(run.status.map(String.init) ?? "signal"), \(run.peakResidentBytes >> 20) MiB, "
              + String(format: "%.2f s", run.seconds))
        return (run, json, out)
    }

    func image(_ id: Int, _ width: Int, _ height: Int, _ name: String) -> String {
        #"{"id": \#(id), "width": \#(width), "height": \#(height), "file_name": "\#(name)"}"#
    }

    func testAJSONWithNoCategoriesIsRefused() throws {
        let (run, json, out) = try convert("no-categories", images: image(1, 16, 16, "grey_16x16.jpg"), categories: "[]")
        ToolRunner.assertCleanRefusal(run, status: 1, mentions: [json, "categories", "no categories", "hint:"], "no categories")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written")
    }

    func testZeroNegativeAndHugeSizesAreCountedWithoutATrapOrATemporaryShard() throws {
        let list = [image(1, 0, 0, "grey_16x16.jpg"), image(2, -16, 16, "grey_16x16.jpg"), image(3, 4_611_686_018_427_387_904, 4, "grey_16x16.jpg"),
                    image(4, 16, 16, "grey_16x16.jpg")].joined(separator: ",")
        let annotation = #"{"id": 7, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16}"#
        let (run, json, out) = try convert("sizes", images: list, annotations: annotation, extra: ["--max-size", "8,8"])
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "bad-image-size: 2", "image id 1: width 0, height 0 in the json",
                                                                   "image id 2: width -16", "image-too-large: 1", "image id 3:", "--max-pixels"],
                                      "zero, negative and huge sizes")
        XCTAssertTrue(run.stdout.contains(#""images":1"#), run.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        XCTAssertFalse(files.contains { $0.contains(".tmp") }, "\(files)")
        XCTAssertTrue(files.contains("manifest.json"), "\(files)")
    }

    /// The issue's 809-byte JPEG whose header says 20000 x 20000 (2.4 GB before), the one
    /// saying 65500 x 65500 (out of memory), and a 270-byte PNG saying 16384 x 16384: the
    /// json says 64 x 48, so the header alone refuses them, whether kept or resized.
    func testHeadersClaimingHugeImagesAreRefusedBeforeDecoding() throws {
        let list = [image(1, 64, 48, "header_20000x20000.jpg"), image(2, 64, 48, "header_65500x65500.jpg"),
                    image(3, 64, 48, "header_16384x16384.png"), image(4, 16, 16, "grey_16x16.jpg")].joined(separator: ",")
        for (label, extra) in [("headers-kept", []), ("headers-resized", ["--max-size", "32,32"])] {
            let (run, json, _) = try convert(label, images: list, extra: extra)
            ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "image-size-mismatch: 3", "image id 1: \(images)/header_20000x20000.jpg: file is 20000x20000, json says 64x48",
                                                                       "file is 65500x65500", "file is 16384x16384", "fix the json's width and height"], label)
            XCTAssertLessThan(run.peakResidentBytes, 256 << 20, "\(label): \(run.summary)")
        }
    }

    /// The same images with the json agreeing with their headers: over --max-pixels, refused
    /// from the json before the files are opened; a raised --max-pixels is a usage check.
    func testJSONSizesOverMaxPixelsAreRefusedUnread() throws {
        let list = [image(1, 20000, 20000, "header_20000x20000.jpg"), image(2, 16384, 16384, "header_16384x16384.png")].joined(separator: ",")
        let (run, json, _) = try convert("max-pixels", images: list)
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "image-too-large: 2", "image id 1: 20000x20000 = 400000000 pixels in the json, over --max-pixels 1638400",
                                                                   "raise --max-pixels"], "json over --max-pixels")
        for bad in ["0", "268435457", "many"] {
            let (usage, _, _) = try convert("max-pixels-\(bad)", images: list, extra: ["--max-pixels", bad])
            ToolRunner.assertCleanRefusal(usage, status: 64, mentions: ["--max-pixels"], "--max-pixels \(bad)")
        }
    }

    func testNamesLeavingTheImageFolderAreRefusedUnlessAllowed() throws {
        // A real JPEG two folders above --images, which the old convert read and stored.
        try FileManager.default.copyItem(atPath: Self.fixtures + "/grey_16x16.jpg", toPath: scratch + "/secret.jpg")
        let list = [image(1, 16, 16, "../../secret.jpg"), image(2, 16, 16, scratch + "/secret.jpg"), image(3, 16, 16, "/proc/self/environ"),
                    image(4, 16, 16, #"grey_16x16.jpg\u0000zzz"#), image(5, 16, 16, "grey_16x16.jpg")].joined(separator: ",")
        let (run, json, out) = try convert("names", images: list)
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "unsafe-file-name: 4", #"image id 1: file name "../../secret.jpg" has a ".." component"#,
                                                                   "pass --allow-outside-images", "is an absolute path"], "unsafe names")
        XCTAssertTrue(run.stdout.contains(#""images":1"#), run.stdout)
        let shard = try Data(contentsOf: URL(fileURLWithPath: out + "/shard-00000.bin"))
        XCTAssertNil(shard.range(of: Data("secret".utf8)), "no record names the outside file")
        // --strict: the first one is an error (exit 1).
        let (strict, _, _) = try convert("names-strict", images: list, extra: ["--strict"])
        ToolRunner.assertCleanRefusal(strict, status: 1, mentions: [json.replacingOccurrences(of: "names", with: "names-strict"), "unsafe-file-name", "--strict"], "strict")
        // --allow-outside-images: the outside file is read (the NUL name is still refused).
        let allowed = [image(1, 16, 16, "../../secret.jpg"), image(2, 16, 16, scratch + "/secret.jpg")].joined(separator: ",")
        let (allow, _, _) = try convert("names-allowed", images: allowed, extra: ["--allow-outside-images"])
        XCTAssertEqual(allow.status, 0, allow.summary)
        XCTAssertTrue(allow.stdout.contains(#""images":2"#), allow.stdout)
        let (nul, _, _) = try convert("names-nul", images: image(1, 16, 16, #"grey_16x16.jpg\u0000zzz"#), extra: ["--allow-outside-images"])
        ToolRunner.assertCleanRefusal(nul, status: 2, mentions: [#"file name "grey_16x16.jpg\0zzz" contains a NUL character"#], "NUL with --allow-outside-images")
    }

    func testRLEWhoseRunsDoNotCoverTheImageIsRefused() throws {
        func annotation(_ id: Int, _ counts: String) -> String {
            #"{"id": \#(id), "image_id": 1, "category_id": 1, "bbox": [0, 0, 16, 16], "area": 10, "iscrowd": 1, "segmentation": {"size": [16, 16], "counts": \#(counts)}}"#
        }
        let annotations = [annotation(1, "[5, 10]"), annotation(2, #""0P""#), annotation(3, "[5, 10, 241]")].joined(separator: ",")
        let (run, json, _) = try convert("rle", images: image(1, 16, 16, "grey_16x16.jpg"), annotations: annotations)
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "rle-size-mismatch: 2", "annotation id 1 (image 1): RLE runs add up to 15 pixels, not 16x16 = 256",
                                                                   "annotation id 2 (image 1): RLE counts string is malformed", "pycocotools.mask.encode"], "RLE coverage")
        XCTAssertTrue(run.stdout.contains(#""rleInstances":1"#), run.stdout)
    }

    func testTwoComponentJPEGIsRefusedAtConvertTime() throws {
        let list = [image(1, 16, 16, "two_components_16x16.jpg"), image(2, 16, 16, "grey_16x16.jpg")].joined(separator: ",")
        let (run, json, _) = try convert("two-components", images: list)
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [json, "unsupported-jpeg: 1", "image id 1: \(images)/two_components_16x16.jpg: a 2-component JPEG",
                                                                   "libjpeg cannot convert it to RGB"], "2-component JPEG")
    }
}
