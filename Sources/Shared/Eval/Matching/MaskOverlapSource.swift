// Mask IoU for the evaluation engine: each cell's ground-truth segmentations rasterised
// (pycocotools annToRLE) and detection masks decoded on demand, then pycocotools `rleIou`.
// Every record belongs to one cell, so each mask is decoded once and then dropped.
import SharedData
import SharedMasks
import SharedSupport

/// IoU between detection and ground-truth masks, indexed like the `EvaluationSet` columns.
public struct MaskOverlapSource: OverlapSource {
    let dataset: Dataset
    let index: GroundTruthIndex
    let results: ResultColumns
    let built: BuiltEvaluation
    let groundTruthPath: String

    public init(dataset: Dataset, index: GroundTruthIndex, results: ResultColumns, built: BuiltEvaluation,
                groundTruthPath: String) {
        self.dataset = dataset
        self.index = index
        self.results = results
        self.built = built
        self.groundTruthPath = groundTruthPath
    }

    /// The detection's mask; a box result without a mask becomes its box polygon (as
    /// pycocotools' loadRes gives it).
    func detectionMask(_ d: Int) -> RLE {
        let row = Int(built.detectionSource[d])
        let size = index.imageSizes[Int(results.imageIndex[row])]
        if results.hasMask[row] {
            return results.mask(row, height: size.height, width: size.width)
        }
        let b = results.box[row]
        let x1 = b.x, y1 = b.y, x2 = b.x + b.width, y2 = b.y + b.height
        return RLE(polygons: [[x1, y1, x1, y2, x2, y2, x2, y1]], height: size.height, width: size.width)
    }

    func groundTruthMask(_ g: Int) throws -> RLE {
        let row = Int(built.groundTruthSource[g])
        let annotation = dataset.annotations[row]
        let size = index.imageSizes[Int(built.set.groundTruthImage[g])]
        let record = "annotations[\(row)] (id \(annotation.id))"
        guard let segmentation = annotation.segmentation else {
            throw ToolError("annotation has no segmentation", file: groundTruthPath, record: record,
                            hint: "mask AP needs ground-truth masks; use --iou-type bbox")
        }
        if let rleSize = segmentation.size, rleSize.height != size.height || rleSize.width != size.width {
            throw ToolError("mask size \(rleSize.height)x\(rleSize.width) differs from its image (\(size.height)x\(size.width))",
                            file: groundTruthPath, record: record)
        }
        do {
            return try RLE(segmentation: segmentation, height: size.height, width: size.width)
        } catch let error as ToolError {
            throw ToolError(error.message, file: groundTruthPath, record: record, hint: error.hint)
        }
    }

    public func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                         crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws {
        let dMasks = detections.map { detectionMask(Int($0)) }
        let gMasks = try groundTruths.map { try groundTruthMask(Int($0)) }
        let values = maskIoU(detections: dMasks, groundTruths: gMasks, isCrowd: Array(crowd))
        for i in 0..<values.count { iou[i] = values[i] }
    }
}
