// A results file read into columns (file order): image index, category, score, box, and
// the mask as compressed RLE bytes in one arena. Checks every record against the ground
// truth (unknown image ids, mask sizes) and names the first offending record.
import SharedData
import SharedMasks
import SharedSupport

/// Detections of one results file, as the evaluators need them.
public struct ResultColumns: Sendable {
    public var imageIndex: [Int32] = []
    /// Category index, or -1 for a category not in the ground truth (dropped later).
    public var categoryIndex: [Int32] = []
    public var score: [Double] = []
    /// The `bbox` field; for a mask result without one, filled from the mask by `complete`.
    public var box: [BoxXYWH] = []
    public var hasBox: [Bool] = []
    /// Compressed RLE bytes of result i: `maskBytes[maskOffsets[i]..<maskOffsets[i + 1]]`
    /// (empty when the result has no mask or masks were not kept).
    public var maskBytes: [UInt8] = []
    public var maskOffsets: [Int] = [0]
    public var hasMask: [Bool] = []
    /// Mask area (pixels) once `complete` ran; 0 for results without a mask.
    public var maskArea: [Double] = []

    public var count: Int { score.count }

    public init() {}

    /// Reads `path` ("-" = stdin). Masks are kept for results the evaluation can use: of a
    /// known category and, when `allowedCategories` is given (LVIS), of a category in the
    /// image's sorted list; the others are dropped later anyway, so their masks are skipped.
    public static func read(path: String, groundTruth: GroundTruthIndex,
                            allowedCategories: [[Int32]]? = nil) throws -> ResultColumns {
        var columns = ResultColumns()
        var index = 0
        try DetectionResultsReader.read(path: path) { result in
            defer { index += 1 }
            let record = "results[\(index)]"
            guard let image = groundTruth.imageIndex(of: result.imageID) else {
                throw ToolError("image_id \(result.imageID) is not an image of the ground truth", file: path,
                                record: record,
                                hint: "results must come from the same split as --gt (its images have \(groundTruth.imageIDRange)); pycocotools asserts here")
            }
            columns.imageIndex.append(Int32(image))
            let category = Int32(groundTruth.categoryIndex(of: result.categoryID) ?? -1)
            columns.categoryIndex.append(category)
            columns.score.append(result.score)
            columns.box.append(result.bbox ?? BoxXYWH(x: 0, y: 0, width: 0, height: 0))
            columns.hasBox.append(result.bbox != nil)
            let size = groundTruth.imageSizes[image]
            let wanted = category >= 0 && (allowedCategories.map { sortedContains($0[image], category) } ?? true)
            if wanted, let segmentation = result.segmentation {
                try columns.appendMask(segmentation, imageHeight: size.height, imageWidth: size.width,
                                       path: path, record: record, imageID: result.imageID)
            } else {
                columns.hasMask.append(result.segmentation != nil)
                columns.maskOffsets.append(columns.maskBytes.count)
            }
        }
        return columns
    }

    private mutating func appendMask(_ segmentation: Segmentation, imageHeight: Int, imageWidth: Int,
                                     path: String, record: String, imageID: ImageID) throws {
        if let size = segmentation.size, size.height != imageHeight || size.width != imageWidth {
            throw ToolError("mask size \(size.height)x\(size.width) differs from image \(imageID) (\(imageHeight)x\(imageWidth))",
                            file: path, record: record,
                            hint: "masks must be encoded at the original image size (\"size\": [height, width])")
        }
        switch segmentation {
        case let .compressedRLE(_, _, bytes):
            maskBytes.append(contentsOf: bytes)
        default:
            do {
                let rle = try RLE(segmentation: segmentation, height: imageHeight, width: imageWidth)
                maskBytes.append(contentsOf: rle.compressedBytes)
            } catch let error as ToolError {
                throw ToolError(error.message, file: path, record: record, hint: error.hint)
            }
        }
        hasMask.append(true)
        maskOffsets.append(maskBytes.count)
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
            RunLengthKernels.decode(UnsafeBufferPointer(rebasing: bytes[maskOffsets[i]..<maskOffsets[i + 1]]), into: &counts)
        }
    }

    /// Decodes every kept mask once (in parallel) for its area, and fills missing boxes
    /// from the masks (pycocotools `area` and `toBbox`).
    public mutating func complete(groundTruth: GroundTruthIndex, parallelism: Parallelism) {
        let n = count
        var areas = [Double](repeating: 0, count: n)
        var boxes = box
        let columns = self
        areas.withUnsafeMutableBufferPointer { areaBuffer in
            boxes.withUnsafeMutableBufferPointer { boxBuffer in
                let out = CompletionOutput(area: areaBuffer, box: boxBuffer)
                parallelism.forEachChunk(n, minimumChunk: 4096) { range in
                    var scratch: [UInt32] = []
                    for i in range where columns.maskOffsets[i + 1] > columns.maskOffsets[i] {
                        scratch.removeAll(keepingCapacity: true)
                        columns.appendCounts(i, to: &scratch)
                        let size = groundTruth.imageSizes[Int(columns.imageIndex[i])]
                        scratch.withUnsafeBufferPointer { counts in
                            out.area[i] = Double(RunLengthKernels.area(counts))
                            if !columns.hasBox[i] {
                                out.box[i] = RunLengthKernels.boundingBox(counts, height: size.height, width: size.width)
                            }
                        }
                    }
                }
            }
        }
        maskArea = areas
        box = boxes
    }
}

private struct CompletionOutput: @unchecked Sendable {
    let area: UnsafeMutableBufferPointer<Double>
    let box: UnsafeMutableBufferPointer<BoxXYWH>
}
