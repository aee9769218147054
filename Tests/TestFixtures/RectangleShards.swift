// A tiny shard folder shared by the trainer and fine-tuning tests: four raw-RGB images
// (dark background, one bright rectangle per instance, a colour per class) with boxes and
// rectangle polygons, stored at half the original size, 3 categories (LVIS ids 10, 20, 30).
import Foundation
import SharedData
import SharedSupport

public enum RectangleShards {
    public static let categoryIDs = [10, 20, 30]

    /// (stored width, stored height, rectangles (x1, y1, x2, y2, class)).
    public static let images: [(Int, Int, [(Int, Int, Int, Int, Int)])] = [
        (64, 48, [(6, 8, 28, 36, 0), (36, 12, 58, 40, 2)]),
        (48, 64, [(8, 10, 40, 40, 1)]),
        (64, 40, [(30, 4, 60, 34, 2)]),
        (56, 56, [(6, 20, 30, 50, 0), (32, 4, 50, 24, 1)]),
    ]

    public static func record(_ index: Int) -> ShardRecord {
        let (width, height, rectangles) = images[index]
        var pixels = RGBImage(width: width, height: height, fill: RGBColor(hex: 0x202020))
        let colours = [RGBColor(hex: 0xF03020), RGBColor(hex: 0x20F030), RGBColor(hex: 0x3020F0)]
        let instances = rectangles.enumerated().map { number, rectangle -> ShardInstance in
            let (x1, y1, x2, y2, cls) = rectangle
            for y in y1..<y2 { for x in x1..<x2 { pixels[x, y] = colours[cls] } }
            let (fx1, fy1, fx2, fy2) = (Float(x1), Float(y1), Float(x2), Float(y2))
            return ShardInstance(annotationID: AnnotationID(index * 10 + number + 1), classIndex: ClassIndex(cls), isCrowd: false,
                                 box: BoxXYXY(x1: Double(x1), y1: Double(y1), x2: Double(x2), y2: Double(y2)),
                                 segmentation: .polygons([[fx1, fy1, fx2, fy1, fx2, fy2, fx1, fy2]]))
        }
        return ShardRecord(imageID: ImageID(500 + index), fileName: "img\(index).png", originalWidth: width * 2,
                           originalHeight: height * 2, storedWidth: width, storedHeight: height, encoding: .rawRGB,
                           imageBytes: pixels.pixels, instances: instances)
    }

    /// Writes the shard folder under `parent` and returns its path; `frequencies` are the
    /// categories' groups ("r", "c" or "f").
    public static func writeShards(in parent: String, frequencies: [String] = ["f", "f", "f"]) throws -> String {
        let directory = parent + "/shards"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try ShardWriter(path: directory + "/shard-00000.bin")
        var counts = ShardCounts()
        for index in images.indices {
            counts.add(record(index))
            try writer.append(record(index))
        }
        let summary = try writer.finish()
        let categories = categoryIDs.enumerated().map {
            ShardCategory(index: $0.offset, id: $0.element, name: "class\($0.offset)", frequency: frequencies[$0.offset],
                          imageCount: 2, instanceCount: 2, repeatFactor: 1, countsSource: "computed")
        }
        let settings = ConvertSettings(annotations: "fixture.json", images: "fixture", split: "train", encoding: "raw", maxShortSide: nil,
                                       maxLongSide: nil, jpegQuality: 90, recordsPerShard: 100, numPieces: 1)
        try ShardManifest(split: "train", sourceFormat: "lvis-v1", settings: settings, counts: counts, categories: categories,
                          shards: [summary], skipped: [:]).write(to: directory)
        return directory
    }

    /// Writes the images' annotations as an LVIS v1 json (original pixels: the stored
    /// rectangles x 2) at parent/gt.json and returns its path: the ground truth of the shards,
    /// for evaluating a model on them.
    public static func writeGroundTruth(in parent: String, frequencies: [String] = ["f", "f", "f"]) throws -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("images"); json.beginArray()
        for (index, image) in images.enumerated() {
            json.beginObject()
            json.key("id"); json.value(500 + index)
            json.key("width"); json.value(image.0 * 2)
            json.key("height"); json.value(image.1 * 2)
            json.key("file_name"); json.value("img\(index).png")
            json.key("neg_category_ids"); json.beginArray(); json.endArray()
            json.key("not_exhaustive_category_ids"); json.beginArray(); json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("annotations"); json.beginArray()
        for (index, image) in images.enumerated() {
            for (number, rectangle) in image.2.enumerated() {
                let (x1, y1, x2, y2, cls) = rectangle
                let (x, y, w, h) = (Double(2 * x1), Double(2 * y1), Double(2 * (x2 - x1)), Double(2 * (y2 - y1)))
                json.beginObject()
                json.key("id"); json.value(index * 10 + number + 1)
                json.key("image_id"); json.value(500 + index)
                json.key("category_id"); json.value(categoryIDs[cls])
                json.key("bbox"); json.value([x, y, w, h])
                json.key("area"); json.value(w * h)
                json.key("segmentation"); json.beginArray(); json.value([x, y, x + w, y, x + w, y + h, x, y + h]); json.endArray()
                json.endObject()
            }
        }
        json.endArray()
        json.key("categories"); json.beginArray()
        for (index, id) in categoryIDs.enumerated() {
            json.beginObject()
            json.key("id"); json.value(id)
            json.key("name"); json.value("class\(index)")
            json.key("frequency"); json.value(frequencies[index])
            json.endObject()
        }
        json.endArray()
        json.endObject()
        let path = parent + "/gt.json"
        try writeFileAtomically(path, text: json.text)
        return path
    }
}
