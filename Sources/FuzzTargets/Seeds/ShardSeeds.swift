// Seeds of the shard targets, written by `ShardWriter` and `ShardRecord.encode`: records
// with a JPEG and with raw pixels, every segmentation kind, LVIS federated classes; shard
// files with zero, one and two records.
import Foundation
import SharedData
import SharedMasks
import SharedSupport

enum ShardSeeds {
    /// A small gradient image (enough structure for the JPEG coder to use several blocks).
    static func gradient(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { pixels += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), 128] }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static let jpegRecord = ShardRecord(
        imageID: ImageID(42), fileName: "val2017/000000000042.jpg", originalWidth: 20, originalHeight: 12,
        storedWidth: 10, storedHeight: 6, encoding: .jpeg, imageBytes: JPEGCodec.encode(gradient(width: 10, height: 6), quality: 50),
        instances: [
            ShardInstance(annotationID: AnnotationID(1), classIndex: ClassIndex(0), isCrowd: false,
                          box: BoxXYXY(x1: 1, y1: 1, x2: 6, y2: 5), segmentation: .polygons([[1, 1, 6, 1, 6, 5, 1, 5]])),
            ShardInstance(annotationID: AnnotationID(2), classIndex: ClassIndex(2), isCrowd: true,
                          box: BoxXYXY(x1: 0, y1: 0, x2: 10, y2: 6),
                          segmentation: .compressedRLE(height: 12, width: 20,
                                                       counts: RLE(box: BoxXYWH(x: 0, y: 0, width: 20, height: 12), height: 12, width: 20).compressedBytes)),
            ShardInstance(annotationID: AnnotationID(3), classIndex: ClassIndex(1), isCrowd: false,
                          box: BoxXYXY(x1: 2, y1: 2, x2: 3, y2: 3), segmentation: .uncompressedRLE(height: 12, width: 20, counts: [100, 20, 120])),
        ],
        negativeClasses: [ClassIndex(1)], notExhaustiveClasses: [ClassIndex(0), ClassIndex(2)])

    static let rawRecord = ShardRecord(
        imageID: ImageID(7), fileName: "a.png", originalWidth: 2, originalHeight: 2, storedWidth: 2, storedHeight: 2,
        encoding: .rawRGB, imageBytes: gradient(width: 2, height: 2).pixels,
        instances: [ShardInstance(annotationID: AnnotationID(9), classIndex: ClassIndex(0), isCrowd: false,
                                  box: BoxXYXY(x1: 0, y1: 0, x2: 2, y2: 1), segmentation: .none)])

    static func payload(_ record: ShardRecord) -> [UInt8] {
        var writer = ByteWriter()
        record.encode(into: &writer)
        return writer.bytes
    }

    static let payloads: [Seed] = [
        Seed("jpeg-record", payload(jpegRecord)),
        Seed("raw-record", payload(rawRecord)),
    ]

    /// Shard files, written through `ShardWriter` into a temporary folder and read back.
    static func files() throws -> [Seed] {
        let folder = NSTemporaryDirectory() + "loce-fuzz-seeds-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func shard(_ name: String, _ records: [ShardRecord]) throws -> Seed {
            let path = folder + "/" + name
            let writer = try ShardWriter(path: path)
            for record in records { try writer.append(record) }
            try writer.finish()
            guard let data = FileManager.default.contents(atPath: path) else { throw ToolError.io("cannot read back the seed", file: path) }
            return Seed(name, [UInt8](data))
        }
        return [
            try shard("empty.shard", []),
            try shard("one-jpeg.shard", [jpegRecord]),
            try shard("two-records.shard", [rawRecord, jpegRecord]),
        ]
    }
}
