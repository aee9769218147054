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
        let dCount = detections.count, gCount = groundTruths.count
        let size = index.imageSizes[Int(built.set.detectionImage[Int(detections[0])])]
        // All runs of the cell in one arena: detections first, then ground truths.
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
        counts.withUnsafeBufferPointer { all in
            func runs(_ i: Int) -> UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]]) }
            // A mask result without a `bbox` got its box from the mask at load time.
            let boxes = (0..<(dCount + gCount)).map { i -> BoxXYWH in
                if i < dCount {
                    let row = Int(built.detectionSource[Int(detections[i])])
                    if results.hasMask[row] && !results.hasBox[row] { return results.box[row] }
                } else {
                    return groundTruthMasks.boxes[Int(built.groundTruthSource[Int(groundTruths[i - dCount])])]
                }
                return RunLengthKernels.boundingBox(runs(i), height: size.height, width: size.width)
            }
            for d in 0..<dCount {
                let dtRuns = runs(d)
                let dtBox = boxes[d]
                var dtArea: UInt32?
                for g in 0..<gCount {
                    let gtBox = boxes[dCount + g]
                    let w = min(dtBox.width + dtBox.x, gtBox.width + gtBox.x) - max(dtBox.x, gtBox.x)
                    let h = min(dtBox.height + dtBox.y, gtBox.height + gtBox.y) - max(dtBox.y, gtBox.y)
                    guard w > 0 && h > 0 else {
                        iou[d * gCount + g] = 0
                        continue
                    }
                    if crowd[g] && dtArea == nil { dtArea = RunLengthKernels.area(dtRuns) }
                    iou[d * gCount + g] = RunLengthKernels.iou(dtRuns, runs(dCount + g), crowd: crowd[g], detectionArea: dtArea ?? 0)
                }
            }
        }
    }
}
