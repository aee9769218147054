// Batch forms of the mask API run across cores: annToRLE for many segmentations, and a
// D x G mask IoU split by detection rows. Results equal the serial functions exactly.
import SharedData
import SharedSupport

/// One segmentation to rasterise, with the size of its image (used for polygons).
public struct SegmentationJob: Sendable {
    public var segmentation: Segmentation
    public var height: Int
    public var width: Int

    public init(segmentation: Segmentation, height: Int, width: Int) {
        self.segmentation = segmentation
        self.height = height
        self.width = width
    }
}

extension RLE {
    /// `RLE(segmentation:height:width:)` for every job, in parallel. A bad segmentation
    /// throws the error of the first failing job, with `record` naming its index when
    /// the error does not name a record already.
    public static func masks(for jobs: [SegmentationJob], parallelism: Parallelism) throws -> [RLE] {
        var masks = [RLE](repeating: RLE(height: 0, width: 0, counts: []), count: jobs.count)
        var errors = [ToolError?](repeating: nil, count: jobs.count)
        masks.withUnsafeMutableBufferPointer { output in
            errors.withUnsafeMutableBufferPointer { failures in
                parallelism.forEachChunk(jobs.count, minimumChunk: 64) { range in
                    for index in range {
                        let job = jobs[index]
                        do {
                            output[index] = try RLE(segmentation: job.segmentation, height: job.height, width: job.width)
                        } catch let error as ToolError {
                            failures[index] = error
                        } catch {
                            failures[index] = ToolError("\(error)")
                        }
                    }
                }
            }
        }
        if let index = errors.firstIndex(where: { $0 != nil }), var error = errors[index] {
            if error.record == nil { error.record = "segmentation \(index)" }
            throw error
        }
        return masks
    }
}

/// `maskIoU(detections:groundTruths:isCrowd:)` with detection rows split across threads.
public func maskIoU(detections: [RLE], groundTruths: [RLE], isCrowd: [Bool], parallelism: Parallelism) -> [Double] {
    precondition(isCrowd.isEmpty || isCrowd.count == groundTruths.count, "isCrowd must have one flag per ground truth")
    let gtCount = groundTruths.count
    let detectionBoxes = detections.map(\.boundingBox)
    let truthBoxes = groundTruths.map(\.boundingBox)
    var result = [Double](repeating: 0, count: detections.count * gtCount)
    result.withUnsafeMutableBufferPointer { output in
        parallelism.forEachChunk(detections.count, minimumChunk: max(1, 256 / max(gtCount, 1))) { rows in
            for d in rows {
                for g in 0..<gtCount {
                    let crowd = isCrowd.isEmpty ? false : isCrowd[g]
                    if boxIoU(detectionBoxes[d], truthBoxes[g], isCrowd: crowd) > 0 {
                        output[d * gtCount + g] = maskIoU(detections[d], groundTruths[g], isCrowd: crowd)
                    }
                }
            }
        }
    }
    return result
}
