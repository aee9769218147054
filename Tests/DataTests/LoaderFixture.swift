// A tiny shard folder for the loader tests: raw-RGB images (dark background, one bright
// rectangle per instance) with boxes and rectangle polygons in stored pixels, stored at
// half the original size, and a manifest with a small category table.
import Foundation
@testable import SharedData
import SharedSupport

enum LoaderFixture {
    /// One image: stored size, original size, and its rectangles (x1, y1, x2, y2, class).
    struct Image {
        var storedWidth: Int
        var storedHeight: Int
        var rectangles: [(Int, Int, Int, Int, Int)]
    }

    static let images: [Image] = [
        Image(storedWidth: 80, storedHeight: 60, rectangles: [(8, 10, 30, 40, 0), (50, 20, 70, 50, 2)]),
        Image(storedWidth: 60, storedHeight: 90, rectangles: [(5, 5, 25, 30, 1)]),
        Image(storedWidth: 100, storedHeight: 50, rectangles: [(60, 10, 90, 45, 2)]),
        Image(storedWidth: 64, storedHeight: 64, rectangles: [(10, 30, 40, 60, 0), (40, 4, 60, 20, 1)]),
        Image(storedWidth: 72, storedHeight: 48, rectangles: [(20, 8, 44, 40, 1)]),
    ]

    static func record(_ index: Int) -> ShardRecord {
        let spec = images[index]
        var pixels = RGBImage(width: spec.storedWidth, height: spec.storedHeight, fill: RGBColor(hex: 0x101010))
        let colours = [RGBColor(hex: 0xF03020), RGBColor(hex: 0x20F030), RGBColor(hex: 0x3020F0)]
        var instances: [ShardInstance] = []
        for (number, (x1, y1, x2, y2, cls)) in spec.rectangles.enumerated() {
            for y in y1..<y2 { for x in x1..<x2 { pixels[x, y] = colours[cls] } }
            let (fx1, fy1, fx2, fy2) = (Float(x1), Float(y1), Float(x2), Float(y2))
            instances.append(ShardInstance(annotationID: AnnotationID(index * 10 + number + 1), classIndex: ClassIndex(cls), isCrowd: false,
                                           box: BoxXYXY(x1: Double(x1), y1: Double(y1), x2: Double(x2), y2: Double(y2)),
                                           segmentation: .polygons([[fx1, fy1, fx2, fy1, fx2, fy2, fx1, fy2]])))
        }
        return ShardRecord(imageID: ImageID(100 + index), fileName: "img\(index).png", originalWidth: spec.storedWidth * 2,
                           originalHeight: spec.storedHeight * 2, storedWidth: spec.storedWidth, storedHeight: spec.storedHeight,
                           encoding: .rawRGB, imageBytes: pixels.pixels, instances: instances)
    }

    /// Writes the folder and returns its path.
    static func write(in parent: String) throws -> String {
        let directory = parent + "/shards"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try ShardWriter(path: directory + "/shard-00000.bin")
        var counts = ShardCounts()
        for index in images.indices {
            let record = record(index)
            counts.add(record)
            try writer.append(record)
        }
        let summary = try writer.finish()
        let categories = (0..<3).map {
            ShardCategory(index: $0, id: 10 * ($0 + 1), name: "class\($0)", frequency: "f", imageCount: 2, instanceCount: 2,
                          repeatFactor: 1, countsSource: "computed")
        }
        let settings = ConvertSettings(annotations: "fixture.json", images: "fixture", split: "train", encoding: "raw", maxShortSide: nil,
                                       maxLongSide: nil, jpegQuality: 90, recordsPerShard: 100, numPieces: 1)
        let manifest = ShardManifest(split: "train", sourceFormat: "lvis-v1", settings: settings, counts: counts, categories: categories,
                                     shards: [summary], skipped: [:])
        try manifest.write(to: directory)
        return directory
    }

    static func settings(flipProbability: Double = 0.5) -> LoaderSettings {
        LoaderSettings(trainShortSides: [64, 96], trainMaxLongSide: 160, testShortSide: 96, testMaxLongSide: 160,
                       flipProbability: flipProbability, padMultiple: 32, pixelMean: [123.675, 116.28, 103.53],
                       pixelStd: [58.395, 57.12, 57.375])
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "loader-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
