// A results file read into columns (file order): image index, category, score, box, and
// the mask as compressed RLE bytes in one arena. Checks every record against the ground
// truth (unknown image ids, mask sizes, masks whose runs do not cover the image, polygons
// whose masks would pass the file's run budget) and names the first offending record.
import SharedData
import SharedMasks
import SharedSupport

/// Detections of one results file, as the evaluators need them.
public struct ResultColumns: Sendable {
    /// Image index (after `resolve`; the raw image id before).
    public var imageIndex: [Int32] = []
    /// Category index, or a negative value for a category not in the ground truth (dropped
    /// later): -1 - k, where k indexes `unknownCategoryIDs`.
    public var categoryIndex: [Int32] = []
    /// The category ids not in the ground truth, in order of first appearance.
    public private(set) var unknownCategoryIDs: [Int] = []
    public var score: [Double] = []
    /// The `bbox` field; for a mask result without one, filled from the mask by `complete`.
    public var box: [BoxXYWH] = []
    public var hasBox: [Bool] = []
    /// Compressed RLE bytes of result i: `maskBytes[maskStart[i] ..< maskStart[i] + maskLength[i]]`.
    public var maskBytes: [UInt8] = []
    public var maskStart: [Int] = []
    public var maskLength: [Int32] = []
    /// The mask's declared size (height, width), -1 when the result has no RLE mask.
    var maskHeight: [Int] = []
    var maskWidth: [Int] = []
    public var hasMask: [Bool] = []
    /// Mask area (pixels) once `complete` ran; 0 for results without a (used) mask.
    public var maskArea: [Double] = []
    /// Raw ids as read, resolved against the ground truth by `resolve`.
    var rawImageID: [Int] = []
    var rawCategoryID: [Int] = []
    /// Polygon / uncompressed masks, rasterised by `resolve` once the image sizes are known.
    var pendingMasks: [(index: Int, segmentation: Segmentation)] = []
    /// Room for mask bytes `append` reserves at the first RLE mask (`init(reservingFor:)`).
    var maskBytesToReserve = 0
    /// The results file's size in bytes (what the default mask run budget is scaled by).
    public var documentBytes = 0
    /// The runs the masks made from this file's polygons (and, for mask AP, its boxes) may
    /// hold; `resolve` and `spendBoxMasks` spend it.
    public var maskRunBudget = MaskRunBudget(documentBytes: 0)

    public var count: Int { score.count }

    public init() {}

    /// Reads `path` ("-" = stdin) without the ground truth (which may still be loading):
    /// call `resolve` before use. A large file is parsed in pieces on `parallelism`'s threads;
    /// the columns and any error are the serial parse's.
    public static func read(path: String, parallelism: Parallelism = .serial,
                            minimumPieceBytes: Int = DetectionResultsReader.minimumPieceBytes) throws -> ResultColumns {
        let input = try JSONInput(path: path)
        var parts = try DetectionResultsReader.read(input: input, parallelism: parallelism, minimumPieceBytes: minimumPieceBytes,
                                                    makePart: ResultColumns.init(reservingFor:)) {
            columns, result, record in try columns.append(result, record: record, path: path)
        }
        var columns = ResultColumns(concatenating: &parts)
        columns.documentBytes = input.bytes.count
        return columns
    }

    /// Maps ids to the ground truth's indices and checks every record against it (unknown
    /// image ids, mask sizes, the polygons' run bounds against `maskRunLimit`, default
    /// `MaskRunBudget(documentBytes:)`), naming the first offending record of `path`.
    public mutating func resolve(groundTruth: GroundTruthIndex, path: String, maskRunLimit: Int? = nil) throws {
        let n = count
        imageIndex = [Int32](repeating: 0, count: n)
        categoryIndex = [Int32](repeating: -1, count: n)
        var unknownCategorySlot: [Int: Int32] = [:]
        for i in 0..<n {
            guard let image = groundTruth.imageIndex(of: ImageID(rawImageID[i])) else {
                throw ToolError("image_id \(rawImageID[i]) is not an image of the ground truth", file: path,
                                record: "results[\(i)]",
                                hint: "results must come from the same split as --gt (its images have \(groundTruth.imageIDRange)); pycocotools asserts here")
            }
            imageIndex[i] = Int32(image)
            if let category = groundTruth.categoryIndex(of: CategoryID(rawCategoryID[i])) {
                categoryIndex[i] = Int32(category)
            } else {
                categoryIndex[i] = unknownCategorySlot[rawCategoryID[i]] ?? {
                    unknownCategoryIDs.append(rawCategoryID[i])
                    let slot = Int32(-unknownCategoryIDs.count)
                    unknownCategorySlot[rawCategoryID[i]] = slot
                    return slot
                }()
            }
            if maskHeight[i] >= 0 {
                let size = groundTruth.imageSizes[image]
                if maskHeight[i] != size.height || maskWidth[i] != size.width {
                    throw ToolError("mask size \(maskHeight[i])x\(maskWidth[i]) differs from image \(rawImageID[i]) (\(size.height)x\(size.width))",
                                    file: path, record: "results[\(i)]",
                                    hint: "masks must be encoded at the original image size (\"size\": [height, width])")
                }
            }
        }
        // What the polygons will cost, from their vertices, before any is rasterised.
        maskRunBudget = maskRunLimit.map(MaskRunBudget.init(limit:)) ?? MaskRunBudget(documentBytes: documentBytes)
        for (i, segmentation) in pendingMasks {
            let size = groundTruth.imageSizes[Int(imageIndex[i])]
            guard RLE.pixels(height: size.height, width: size.width) != nil else { continue }  // refused below
            try maskRunBudget.spend(RLE.runBound(segmentation: segmentation, height: size.height, width: size.width),
                                    path: path, record: "results[\(i)]")
        }
        for (i, segmentation) in pendingMasks {
            let size = groundTruth.imageSizes[Int(imageIndex[i])]
            do {
                let bytes = try RLE(segmentation: segmentation, height: size.height, width: size.width).compressedBytes
                guard let length = Int32(exactly: bytes.count) else {
                    throw ToolError("the mask's compressed counts are \(bytes.count) bytes long (at most \(Int32.max))",
                                    hint: "simplify the polygon")
                }
                maskStart[i] = maskBytes.count
                maskLength[i] = length
                maskBytes.append(contentsOf: bytes)
            } catch let error as ToolError {
                throw ToolError(error.message, file: path, record: "results[\(i)]", hint: error.hint)
            }
        }
        pendingMasks = []
        rawImageID = []
        rawCategoryID = []
    }

    /// For mask AP: spends the budget on the masks the results without a mask get from their
    /// box (as pycocotools' loadRes makes them), naming the first record past it.
    public mutating func spendBoxMasks(groundTruth: GroundTruthIndex, path: String) throws {
        for i in 0..<count where !hasMask[i] {
            let size = groundTruth.imageSizes[Int(imageIndex[i])]
            guard RLE.pixels(height: size.height, width: size.width) != nil else { continue }  // refused with the image
            let b = box[i]
            let x1 = b.x, y1 = b.y, x2 = b.x + b.width, y2 = b.y + b.height
            try maskRunBudget.spend(RLE.runBound(polygon: [x1, y1, x1, y2, x2, y2, x2, y1], height: size.height, width: size.width),
                                    path: path, record: "results[\(i)]")
        }
    }

    /// The category id of result i when it is not one of the ground truth's, else nil.
    public func unknownCategoryID(_ i: Int) -> Int? {
        let category = categoryIndex[i]
        return category < 0 ? unknownCategoryIDs[Int(-1 - category)] : nil
    }

    /// The mask of result i (image size from the ground truth).
    public func mask(_ i: Int, height: Int, width: Int) -> RLE {
        var counts: [UInt32] = []
        appendCounts(i, to: &counts)
        return RLE(height: height, width: width, counts: counts)
    }

    /// Appends the decoded runs of result i's mask to `counts`; returns how many.
    @discardableResult
    func appendCounts(_ i: Int, to counts: inout [UInt32]) -> Int {
        maskBytes.withUnsafeBufferPointer { bytes in
            let start = maskStart[i]
            return RunLengthKernels.decode(UnsafeBufferPointer(rebasing: bytes[start..<(start + Int(maskLength[i]))]), into: &counts)
        }
    }

    /// Decodes the masks the evaluation can use once (in parallel) for their area, and fills
    /// missing boxes from them (pycocotools `area` and `toBbox`). Masks of results the
    /// filters will drop (unknown category; LVIS: `allowedCategories`) are not decoded.
    /// Throws, naming the first such record of `path`, when a decoded mask's runs do not
    /// add up to height * width (the IoU walk would go wrong on it).
    public mutating func complete(groundTruth: GroundTruthIndex, allowedCategories: [[Int32]]? = nil,
                                  parallelism: Parallelism, path: String) throws {
        let n = count
        var areas = [Double](repeating: 0, count: n)
        var boxes = box
        var malformed = [Bool](repeating: false, count: n)
        let columns = self
        areas.withUnsafeMutableBufferPointer { areaBuffer in
            boxes.withUnsafeMutableBufferPointer { boxBuffer in
                malformed.withUnsafeMutableBufferPointer { malformedBuffer in
                    let out = CompletionOutput(area: areaBuffer, box: boxBuffer, malformed: malformedBuffer)
                    parallelism.forEachChunk(n, minimumChunk: 4096) { range in
                        var scratch: [UInt32] = []
                        for i in range where columns.hasMask[i] {
                            let category = columns.categoryIndex[i], image = Int(columns.imageIndex[i])
                            if category < 0 { continue }
                            if let allowed = allowedCategories, !sortedContains(allowed[image], category) { continue }
                            scratch.removeAll(keepingCapacity: true)
                            columns.appendCounts(i, to: &scratch)
                            let size = groundTruth.imageSizes[image]
                            scratch.withUnsafeBufferPointer { counts in
                                guard RunLengthKernels.coversImage(counts, height: size.height, width: size.width) else {
                                    out.malformed[i] = true
                                    return
                                }
                                out.area[i] = Double(RunLengthKernels.area(counts))
                                if !columns.hasBox[i] {
                                    out.box[i] = RunLengthKernels.boundingBox(counts, height: size.height, width: size.width)
                                }
                            }
                        }
                    }
                }
            }
        }
        if let i = malformed.firstIndex(of: true) {
            let size = groundTruth.imageSizes[Int(imageIndex[i])]
            let mask = self.mask(i, height: size.height, width: size.width)
            let error = RLE.coverageError(pixelCount: mask.pixelCount, height: size.height, width: size.width)
            throw ToolError(error.message, file: path, record: "results[\(i)]", hint: error.hint)
        }
        maskArea = areas
        box = boxes
    }
}

private struct CompletionOutput: @unchecked Sendable {
    let area: UnsafeMutableBufferPointer<Double>
    let box: UnsafeMutableBufferPointer<BoxXYWH>
    let malformed: UnsafeMutableBufferPointer<Bool>
}
