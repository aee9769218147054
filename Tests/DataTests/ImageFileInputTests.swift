// `predict --images` below the model: which files a folder, a list or a single image names;
// ids from a COCO/LVIS json by file name or 1..N; unreadable files skipped with the batch
// refilled from the next files; and the batch of a photo equal, float for float, to the batch
// of the same photo converted by `lvis-prep convert` and read back from the shards (a JPEG
// with default options, a PNG with --encoding raw).
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class ImageFileInputTests: XCTestCase {
    /// Tests/Fixtures/coco128-subset (this file is REPO/Tests/DataTests/...).
    static let cocoSubset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/coco128-subset").path
    static let photos = ["000000000030.jpg", "000000000086.jpg", "000000000508.jpg", "000000000544.jpg"]
    var scratch = ""

    override func setUpWithError() throws {
        scratch = try LoaderFixture.temporaryDirectory("image-files")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let path = scratch + "/" + relative
        try makeDirectory(PathChecks.parentFolder(of: path))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func photo(_ name: String) throws -> [UInt8] {
        try XCTUnwrap(readWholeFile(Self.cocoSubset + "/train2017/" + name), "fixture photo \(name) missing")
    }

    // MARK: Listing

    func testFolderListsImagesByNameCaseInsensitiveNotHiddenNotRecursive() throws {
        let jpeg = try photo(Self.photos[0])
        for name in ["b.JPG", "a.jpeg", "C.png", "d.Jpeg", ".hidden.jpg", "._mac.jpg", "notes.txt", "noext", "sub/e.jpg"] {
            try write("photos/" + name, jpeg)
        }
        try makeDirectory(scratch + "/photos/folder.jpg")
        let listed = try ImageFileList.resolve(scratch + "/photos")
        // Byte order: upper case before lower case, as `LC_ALL=C ls`.
        XCTAssertEqual(listed, ["C.png", "a.jpeg", "b.JPG", "d.Jpeg"].map { scratch + "/photos/" + $0 })
        XCTAssertEqual(try ImageFileList.resolve(scratch + "/photos/"), listed, "a trailing slash gives the same paths")
    }

    func testListFileAndSingleImageAndEmptyInputs() throws {
        try write("one.jpg", try photo(Self.photos[1]))
        XCTAssertEqual(try ImageFileList.resolve(scratch + "/one.jpg"), [scratch + "/one.jpg"], "one image is a list of itself")
        try write("list.txt", Array("x/b.jpg\r\n\n  \t\nrelative/a b.png\n/abs/c.jpg".utf8))
        XCTAssertEqual(try ImageFileList.resolve(scratch + "/list.txt"), ["x/b.jpg", "relative/a b.png", "/abs/c.jpg"],
                       "one path per line, CRLF and blank lines dropped, spaces inside kept, in list order")
        XCTAssertEqual(try ImageFileList.parse(list: Array("p.jpg\n".utf8), source: "<stdin>"), ["p.jpg"])
        XCTAssertThrowsError(try ImageFileList.parse(list: [0x61, 0x00, 0x0A], source: "<stdin>")) { error in
            XCTAssertTrue("\(error)".contains("line 1"), "\(error)")
        }
        XCTAssertThrowsError(try ImageFileList.parse(list: [0x61, 0x0A, 0xFF, 0xFE], source: "l")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        try makeDirectory(scratch + "/empty")
        try write("empty/readme.txt", Array("x".utf8))
        XCTAssertThrowsError(try ImageFileList.resolve(scratch + "/empty")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .dataError)
            XCTAssertTrue("\(error)".contains("no .jpg, .jpeg or .png"), "\(error)")
        }
        try write("blank.txt", Array("\n\n".utf8))
        XCTAssertThrowsError(try ImageFileList.resolve(scratch + "/blank.txt"))
        XCTAssertThrowsError(try ImageFileList.resolve(scratch + "/missing")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError)
        }
        XCTAssertThrowsError(try ImageFileList.resolve("/dev/null")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .usage)
        }
    }

    // MARK: Ids

    func testIDsFromJSONByFileNameCocoURLAndV05Prefix() throws {
        let json = """
        {"images": [{"id": 30, "width": 640, "height": 428, "file_name": "train2017/000000000030.jpg"},
                    {"id": 86, "width": 512, "height": 640, "coco_url": "http://images.cocodataset.org/val2017/000000000086.jpg"},
                    {"id": 508, "width": 640, "height": 480, "file_name": "COCO_val2014_000000000508.jpg"}],
         "categories": [{"id": 1, "name": "thing"}]}
        """
        let dataset = try Dataset.load(text: json)
        let paths = ["p/000000000086.jpg", "q/000000000030.jpg", "000000000508.jpg", "r/COCO_val2014_000000000508.jpg"]
        let entries = try ImageFileIDs.matched(Array(paths.prefix(3)), dataset: dataset, jsonPath: "ids.json")
        XCTAssertEqual(entries.map(\.imageID.rawValue), [86, 30, 508])
        XCTAssertEqual(entries.map(\.path), Array(paths.prefix(3)))
        XCTAssertEqual(entries.map { [$0.expectedWidth, $0.expectedHeight] }, [[512, 640], [640, 428], [640, 480]])
        XCTAssertEqual(try ImageFileIDs.matched([paths[3]], dataset: dataset, jsonPath: "ids.json").map(\.imageID.rawValue), [508])
        XCTAssertThrowsError(try ImageFileIDs.matched(["a/000000000030.jpg", "b/holiday.jpg"], dataset: dataset, jsonPath: "ids.json")) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("b/holiday.jpg") && text.contains("ids.json") && text.contains("1 of the 2"), text)
            XCTAssertEqual(($0 as? ToolError)?.exitCode, .dataError)
        }
        XCTAssertThrowsError(try ImageFileIDs.matched(["a/000000000030.jpg", "b/000000000030.jpg"], dataset: dataset, jsonPath: "ids.json")) {
            XCTAssertTrue("\($0)".contains("a/000000000030.jpg and b/000000000030.jpg"), "\($0)")
        }
        let twins = try Dataset.load(text: """
        {"images": [{"id": 1, "width": 4, "height": 4, "file_name": "a/x.jpg"}, {"id": 2, "width": 4, "height": 4, "file_name": "b/x.jpg"}],
         "categories": [{"id": 1, "name": "thing"}]}
        """)
        XCTAssertThrowsError(try ImageFileIDs.matched(["x.jpg"], dataset: twins, jsonPath: "t.json")) {
            XCTAssertTrue("\($0)".contains("ids 1, 2"), "\($0)")
        }
        XCTAssertEqual(ImageFileIDs.sequential(["z.jpg", "a.jpg"]).map(\.imageID.rawValue), [1, 2])
    }

    func testIDMapEntryIsACOCOImageRecord() throws {
        var json = JSONWriter()
        ImageFileIDs.writeMapEntry(id: ImageID(3), path: "photos/a \"b\".jpg", width: 640, height: 480, to: &json)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any])
        XCTAssertEqual(object["id"] as? Int, 3)
        XCTAssertEqual(object["file_name"] as? String, "a \"b\".jpg")
        XCTAssertEqual(object["path"] as? String, "photos/a \"b\".jpg")
        XCTAssertEqual(object["width"] as? Int, 640)
        XCTAssertEqual(object["height"] as? Int, 480)
        XCTAssertTrue(json.text.hasPrefix("{\"id\":3,\"file_name\":"), json.text)
    }

    // MARK: Batches

    /// A truncated JPEG, a text file, a missing file and a file of another size than its json
    /// are skipped with their reason; the batch is filled from the next files, so the good
    /// images' batches are those of the list without the bad ones.
    func testBadFilesAreSkippedAndBatchesRefilled() throws {
        let settings = LoaderFixture.settings()
        let good = try Self.photos.map(photo)
        try write("0.jpg", good[0])
        try write("1.jpg", Array(good[1].prefix(5000)))
        try write("2.jpg", good[1])
        try write("3.txt", Array("not an image".utf8))
        try write("4.jpg", good[2])
        try write("6.jpg", good[3])
        let path = { (name: String) in self.scratch + "/" + name }
        let entries = [ImageFileEntry(path: path("0.jpg"), imageID: ImageID(10)),
                       ImageFileEntry(path: path("1.jpg"), imageID: ImageID(11)),
                       ImageFileEntry(path: path("2.jpg"), imageID: ImageID(12)),
                       ImageFileEntry(path: path("3.txt"), imageID: ImageID(13)),
                       ImageFileEntry(path: path("5.jpg"), imageID: ImageID(15)),
                       ImageFileEntry(path: path("4.jpg"), imageID: ImageID(14), expectedWidth: 1, expectedHeight: 1),
                       ImageFileEntry(path: path("6.jpg"), imageID: ImageID(16))]
        let files = ImageFileBatches(entries: entries, batchSize: 2, settings: settings, keepsPixels: true)
        XCTAssertEqual(files.maxCount, 4)
        let first = files.batch(0), second = files.batch(1), third = files.batch(2)
        XCTAssertEqual(first.batch?.images.map(\.imageID.rawValue), [10, 12])
        XCTAssertEqual(first.skipped.map(\.kind), [.truncatedImage])
        XCTAssertEqual(first.skipped.first?.path, path("1.jpg"))
        XCTAssertEqual(second.batch?.images.map(\.imageID.rawValue), [16])
        XCTAssertEqual(second.batch?.images.map(\.datasetIndex), [6])
        XCTAssertEqual(second.skipped.map(\.kind), [.unknownImageFormat, .missingImage, .imageSizeMismatch])
        XCTAssertTrue(second.skipped[2].line.contains("the file is 640x480, the --image-ids json says 1x1"), second.skipped[2].line)
        XCTAssertNil(third.batch)
        XCTAssertTrue(third.skipped.isEmpty)
        XCTAssertEqual(first.pixels.map(\.width), [640, 512])
        // The same batches as a list of only the good files.
        let clean = ImageFileBatches(entries: [entries[0], entries[2], entries[6]], batchSize: 2, settings: settings)
        let cleanFirst = clean.batch(0)
        XCTAssertEqual(cleanFirst.batch?.pixels, first.batch?.pixels)
        XCTAssertEqual(clean.batch(1).batch?.pixels, second.batch?.pixels)
        XCTAssertTrue(cleanFirst.pixels.isEmpty, "pixels are kept only when asked")

        let limited = ImageFileBatches.load(entries[0], limits: ImageLimits(maxPixels: 1000))
        guard case .failure(let problem) = limited else { return XCTFail("an image over --max-pixels must be skipped") }
        XCTAssertEqual(problem.kind, .imageTooLarge)
    }

    /// The batch of a photo read as a file equals the batch of the photo converted to shards
    /// and read back, at batch 1 and 2: the JPEGs with convert's defaults (original bytes
    /// kept), PNG copies of them with --encoding raw (lossless).
    func testFileBatchesEqualConvertedShardBatches() throws {
        let fixture = try PrepFixture(name: "images-in")
        defer { fixture.remove() }
        var images: [String] = [], pngImages: [String] = []
        for (index, name) in Self.photos.enumerated() {
            let bytes = try photo(name)
            try fixture.write(name, bytes)
            let png = String(name.dropLast(4)) + ".png"
            try fixture.write(png, PNGCodec.encode(try JPEGCodec.decode(bytes)))
            let size = try bytes.withUnsafeBytes { try ImageDecoding.size($0) }
            images.append(#"{"id": \#(index + 1), "width": \#(size.width), "height": \#(size.height), "file_name": "\#(name)"}"#)
            pngImages.append(#"{"id": \#(index + 1), "width": \#(size.width), "height": \#(size.height), "file_name": "\#(png)"}"#)
        }
        let categories = #""categories": [{"id": 1, "name": "thing"}], "annotations": []"#
        let jpegJSON = try fixture.writeJSON("{\"images\": [\(images.joined(separator: ","))], \(categories)}", name: "jpeg.json")
        let pngJSON = try fixture.writeJSON("{\"images\": [\(pngImages.joined(separator: ","))], \(categories)}", name: "png.json")
        _ = try fixture.convert(jpegJSON, out: fixture.root + "/jpeg-shards")
        _ = try fixture.convert(pngJSON, out: fixture.root + "/png-shards", encoding: .rawRGB)
        let settings = LoaderFixture.settings()
        for (json, shards, ext) in [(jpegJSON, "/jpeg-shards", ".jpg"), (pngJSON, "/png-shards", ".png")] {
            let dataset = try ShardDataset(directory: fixture.root + shards)
            XCTAssertEqual(dataset.count, 4)
            let paths = Self.photos.map { fixture.images + "/" + $0.dropLast(4) + ext }
            let entries = try ImageFileIDs.matched(paths, dataset: try Dataset.load(path: json), jsonPath: json)
            for batchSize in [1, 2] {
                let fromShards = EvaluationBatches(dataset: dataset, batchSize: batchSize, settings: settings)
                let fromFiles = ImageFileBatches(entries: entries, batchSize: batchSize, settings: settings)
                XCTAssertEqual(fromFiles.maxCount, fromShards.count)
                for number in 0..<fromShards.count {
                    let expected = try fromShards.batch(number)
                    let got = try XCTUnwrap(fromFiles.batch(number).batch)
                    XCTAssertEqual(got.width, expected.width, "\(ext) batch \(number)")
                    XCTAssertEqual(got.height, expected.height)
                    XCTAssertEqual(got.images.map(\.imageID), expected.images.map(\.imageID))
                    XCTAssertEqual(got.images.map(\.geometry), expected.images.map(\.geometry))
                    XCTAssertEqual(got.images.map { [$0.originalWidth, $0.originalHeight] }, expected.images.map { [$0.originalWidth, $0.originalHeight] })
                    XCTAssertTrue(got.pixels == expected.pixels, "\(ext) batch \(number) of \(batchSize): the input floats differ")
                }
            }
        }
    }
}
