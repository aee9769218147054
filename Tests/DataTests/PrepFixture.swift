// Builds small COCO / LVIS datasets on disk for the convert tests: images made with our
// encoders (plus deliberately bad files) and a json written as text.
import Foundation
@testable import SharedData
import SharedSupport

struct PrepFixture {
    let root: String

    init(name: String) throws {
        root = NSTemporaryDirectory() + "prep-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(root + "/images")
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    var images: String { root + "/images" }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let path = images + "/" + relative
        if let slash = path.lastIndex(of: "/") { try makeDirectory(String(path[..<slash])) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func writeJSON(_ text: String, name: String = "annotations.json") throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A black image with a white axis-aligned rectangle.
    static func rectangleImage(width: Int, height: Int, x: Double, y: Double, w: Double, h: Double) -> RGBImage {
        var canvas = Canvas(width: width, height: height, background: .black)
        canvas.fillRect(x: x, y: y, width: w, height: h, color: .white)
        return canvas.image
    }


    /// Plans and runs convert into `out`.
    func convert(_ annotations: String, out: String, maxSize: (Int, Int)? = nil, encoding: StoredImageEncoding = .jpeg,
                 recordsPerShard: Int = 512, pieces: Int = 1, piece: Int = 0, strict: Bool = false,
                 missingImagesExpected: Bool = false, limits: ImageLimits = ImageLimits(),
                 stopRequested: @escaping @Sendable () -> Int32? = { nil }) throws -> ConvertReport {
        let dataset = try Dataset.load(path: annotations, use: .conversion)
        let plan = PrepPlan(dataset: dataset, annotationsPath: annotations, limits: limits)
        let settings = ConvertSettings(annotations: annotations, images: images, split: "train", encoding: encoding.name,
                                       maxShortSide: maxSize?.0, maxLongSide: maxSize?.1, jpegQuality: 90,
                                       recordsPerShard: recordsPerShard, numPieces: pieces)
        let options = ConvertOptions(maxShortSide: maxSize?.0, maxLongSide: maxSize?.1, encoding: encoding, jpegQuality: 90,
                                     limits: limits)
        return try ConvertJob(plan: plan, settings: settings, options: options, outputDirectory: out, pieceIndex: piece,
                              strict: strict, missingImagesExpected: missingImagesExpected,
                              logger: Logger(tool: "test", verbosity: .quiet),
                              parallelism: Parallelism(threads: 2), stopRequested: stopRequested).run()
    }
}
