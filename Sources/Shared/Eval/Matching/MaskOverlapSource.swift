// Mask IoU for the evaluation engine: each cell's ground-truth segmentations rasterised
// (pycocotools annToRLE) and detection masks decoded on demand, then pycocotools `rleIou`.
// Every record belongs to one cell, so each mask is decoded once and then dropped.
import SharedData
import SharedMasks
import SharedSupport

/// IoU between detection and ground-truth masks, indexed like the `EvaluationSet` columns.
struct MaskOverlapSource: OverlapSource {
    let index: GroundTruthIndex
    let results: ResultColumns
    let built: BuiltEvaluation
    let groundTruthMasks: GroundTruthMasks

    init(index: GroundTruthIndex, results: ResultColumns, built: BuiltEvaluation, groundTruthMasks: GroundTruthMasks) {
        self.index = index
        self.results = results
        self.built = built
        self.groundTruthMasks = groundTruthMasks
    }

    /// Appends detection d's runs to `counts`; a box result without a mask becomes its box
    /// polygon (as pycocotools' loadRes gives it).
    func appendDetectionCounts(_ d: Int, to counts: inout [UInt32]) {
        let row = Int(built.detectionSource[d])
        if results.hasMask[row] {
            results.appendCounts(row, to: &counts)
            return
        }
        let size = index.imageSizes[Int(results.imageIndex[row])]
        let b = results.box[row]
        let x1 = b.x, y1 = b.y, x2 = b.x + b.width, y2 = b.y + b.height
        counts.append(contentsOf: RLE(polygons: [[x1, y1, x1, y2, x2, y2, x2, y1]], height: size.height, width: size.width).counts)
    }

    /// pycocotools rleIou: 0 unless the masks' boxes overlap, else the run walk.
    func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                         crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws {
        maskIoU(cellMasks(detections: detections, groundTruths: groundTruths), crowd: crowd, into: iou)
    }

    /// The image size of a cell (every mask of it has its image's size).
    func imageSize(of detections: UnsafeBufferPointer<Int32>) -> (height: Int, width: Int) {
        index.imageSizes[Int(built.set.detectionImage[Int(detections[0])])]
    }

    /// The masks of one cell in one arena, detections first, then ground truths, each with
    /// the box rleIou uses.
    func cellMasks(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>) -> CellMasks {
        let dCount = detections.count, gCount = groundTruths.count
        let size = imageSize(of: detections)
        var counts: [UInt32] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(dCount + gCount + 1)
        for d in detections {
            appendDetectionCounts(Int(d), to: &counts)
            starts.append(counts.count)
        }
        let gtCounts = groundTruthMasks.counts, gtOffsets = groundTruthMasks.offsets
        for g in groundTruths {
            let row = Int(built.groundTruthSource[Int(g)])
            counts.append(contentsOf: gtCounts[gtOffsets[row]..<gtOffsets[row + 1]])
            starts.append(counts.count)
        }
        let boxes = counts.withUnsafeBufferPointer { all in
            // A mask result without a `bbox` got its box from the mask at load time.
            (0..<(dCount + gCount)).map { i -> BoxXYWH in
                if i < dCount {
                    let row = Int(built.detectionSource[Int(detections[i])])
                    if results.hasMask[row] && !results.hasBox[row] { return results.box[row] }
                } else {
                    return groundTruthMasks.boxes[Int(built.groundTruthSource[Int(groundTruths[i - dCount])])]
                }
                return RunLengthKernels.boundingBox(UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]]),
                                                    height: size.height, width: size.width)
            }
        }
        return CellMasks(detectionCount: dCount, counts: counts, starts: starts, boxes: boxes)
    }

    /// pycocotools rleIou over a cell's masks (D x G, row-major).
    func maskIoU(_ cell: CellMasks, crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) {
        let dCount = cell.detectionCount, gCount = cell.starts.count - 1 - dCount
        cell.counts.withUnsafeBufferPointer { all in
            for d in 0..<dCount {
                let dtRuns = cell.runs(d, in: all)
                var dtArea: UInt32?
                for g in 0..<gCount {
                    guard cell.boxes[d].overlapsAsRLEIoU(cell.boxes[dCount + g]) else {
                        iou[d * gCount + g] = 0
                        continue
                    }
                    if crowd[g] && dtArea == nil { dtArea = RunLengthKernels.area(dtRuns) }
                    iou[d * gCount + g] = RunLengthKernels.iou(dtRuns, cell.runs(dCount + g, in: all), crowd: crowd[g],
                                                               detectionArea: dtArea ?? 0)
                }
            }
        }
    }
}

/// One cell's masks: runs of mask i at `counts[starts[i]..<starts[i + 1]]`, detections first.
struct CellMasks {
    let detectionCount: Int
    let counts: [UInt32]
    let starts: [Int]
    let boxes: [BoxXYWH]

    func runs(_ i: Int, in all: UnsafeBufferPointer<UInt32>) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]])
    }
}

extension BoxXYWH {
    /// rleIou's box test: the boxes overlap with positive width and height.
    @inline(__always) func overlapsAsRLEIoU(_ other: BoxXYWH) -> Bool {
        let w = min(width + x, other.width + other.x) - max(x, other.x)
        let h = min(height + y, other.height + other.y) - max(y, other.y)
        return w > 0 && h > 0
    }
}
