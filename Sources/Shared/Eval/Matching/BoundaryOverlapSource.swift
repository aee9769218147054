// Boundary IoU for the evaluation engine, as boundary-iou-api's COCOeval.computeBoundaryIoU and
// LVISEval.compute_iou (iou_type "boundary") compute it: per pair min(mask IoU, boundary IoU),
// both pycocotools rleIou, except against crowd ground truths, which keep the mask IoU
// (intersection / detection area). Boundaries are `MaskBoundary` of each mask at the image's
// dilation, made only for masks that overlap a non-crowd partner (min(0, x) = 0 needs none),
// each once per cell, and kept across evaluations when a `BoundaryCache` is given (slices).
import SharedData
import SharedMasks
import SharedSupport

/// Boundary IoU between detection and ground-truth masks, indexed like the `EvaluationSet` columns.
struct BoundaryOverlapSource: OverlapSource {
    let masks: MaskOverlapSource
    /// boundary-iou-api's `dilation_ratio`.
    let dilationRatio: Double
    /// Boundaries kept for later evaluations of the same records (nil: made per cell, dropped).
    let cache: BoundaryCache?
    /// Named in the error for a mask too elongated to take a boundary of.
    let groundTruthPath: String
    let resultsPath: String

    func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                  crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws {
        let cell = masks.cellMasks(detections: detections, groundTruths: groundTruths)
        masks.maskIoU(cell, crowd: crowd, into: iou)
        let dCount = detections.count, gCount = groundTruths.count
        let size = masks.imageSize(of: detections)
        var boundaries = CellBoundaries(count: dCount + gCount,
                                        dilation: MaskBoundary.dilation(height: size.height, width: size.width, ratio: dilationRatio),
                                        size: size)
        try cell.counts.withUnsafeBufferPointer { all in
            for d in 0..<dCount {
                for g in 0..<gCount where !crowd[g] && iou[d * gCount + g] > 0 {
                    try boundaries.ensure(d, runs: cell.runs(d, in: all), cache: cache, key: .detection(Int(detections[d])),
                                          source: self)
                    try boundaries.ensure(dCount + g, runs: cell.runs(dCount + g, in: all), cache: cache,
                                          key: .groundTruth(Int(groundTruths[g])), source: self)
                    let boundaryIoU = boundaries.iou(d, dCount + g)
                    iou[d * gCount + g] = min(iou[d * gCount + g], boundaryIoU)
                }
            }
        }
    }
}

extension BoundaryOverlapSource {
    func tooElongatedError(_ key: BoundaryCache.Key, intervals: Int, size: (height: Int, width: Int)) -> ToolError {
        let (file, record): (String, String)
        switch key {
        case .detection(let d): (file, record) = (resultsPath, "results[\(masks.built.detectionSource[d])]")
        case .groundTruth(let g): (file, record) = (groundTruthPath, "annotations[\(masks.built.groundTruthSource[g])]")
        }
        return ToolError("the mask spans \(intervals) column intervals of its \(size.height)x\(size.width) image, more than the \(MaskBoundary.maximumColumnIntervals) a Boundary IoU boundary is made from",
                         file: file, record: record,
                         hint: "boundaries are made column by column; an image this elongated is evaluated with --iou-type segm")
    }
}

/// The boundaries of one cell's masks, made on demand into one arena.
private struct CellBoundaries {
    let dilation: Int
    let size: (height: Int, width: Int)
    var counts: [UInt32] = []
    var ranges: [Range<Int>?]
    var boxes: [BoxXYWH]
    var workspace = BoundaryWorkspace()

    init(count: Int, dilation: Int, size: (height: Int, width: Int)) {
        self.dilation = dilation
        self.size = size
        ranges = [Range<Int>?](repeating: nil, count: count)
        boxes = [BoxXYWH](repeating: BoxXYWH(x: 0, y: 0, width: 0, height: 0), count: count)
    }

    mutating func ensure(_ i: Int, runs: UnsafeBufferPointer<UInt32>, cache: BoundaryCache?, key: BoundaryCache.Key,
                         source: BoundaryOverlapSource) throws {
        guard ranges[i] == nil else { return }
        let start = counts.count
        if let cache, let stored = cache[key] {
            counts.append(contentsOf: stored)
        } else {
            let intervals = MaskBoundary.columnIntervals(runs, height: size.height, width: size.width)
            if intervals > MaskBoundary.maximumColumnIntervals {
                throw source.tooElongatedError(key, intervals: intervals, size: size)
            }
            MaskBoundary.appendBoundary(runs, height: size.height, width: size.width, dilation: dilation,
                                        into: &counts, workspace: &workspace)
            if let cache { cache[key] = Array(counts[start...]) }
        }
        ranges[i] = start..<counts.count
        boxes[i] = counts.withUnsafeBufferPointer {
            RunLengthKernels.boundingBox(UnsafeBufferPointer(rebasing: $0[start...]), height: size.height, width: size.width)
        }
    }

    /// pycocotools rleIou of two boundaries (never crowd).
    func iou(_ a: Int, _ b: Int) -> Double {
        guard boxes[a].overlapsAsRLEIoU(boxes[b]), let ra = ranges[a], let rb = ranges[b] else { return 0 }
        return counts.withUnsafeBufferPointer {
            RunLengthKernels.iou(UnsafeBufferPointer(rebasing: $0[ra]), UnsafeBufferPointer(rebasing: $0[rb]), crowd: false, detectionArea: 0)
        }
    }
}

/// Boundaries by record, kept across the evaluations of one run (the main selection and each
/// slice evaluate the same cells). Each record belongs to one category, and the engine gives a
/// category to one worker at a time, so the slots are written without locks.
final class BoundaryCache: @unchecked Sendable {
    enum Key {
        case detection(Int)
        case groundTruth(Int)
    }

    private let detections: UnsafeMutableBufferPointer<[UInt32]?>
    private let groundTruths: UnsafeMutableBufferPointer<[UInt32]?>

    init(detectionCount: Int, groundTruthCount: Int) {
        detections = .allocate(capacity: detectionCount)
        detections.initialize(repeating: nil)
        groundTruths = .allocate(capacity: groundTruthCount)
        groundTruths.initialize(repeating: nil)
    }

    deinit {
        detections.deinitialize()
        detections.deallocate()
        groundTruths.deinitialize()
        groundTruths.deallocate()
    }

    subscript(key: Key) -> [UInt32]? {
        get {
            switch key {
            case .detection(let i): return detections[i]
            case .groundTruth(let i): return groundTruths[i]
            }
        }
        set {
            switch key {
            case .detection(let i): detections[i] = newValue
            case .groundTruth(let i): groundTruths[i] = newValue
            }
        }
    }
}
