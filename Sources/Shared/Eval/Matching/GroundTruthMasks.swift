// Every ground-truth mask rasterised once (pycocotools annToRLE via SharedMasks), with its
// box, in one arena. Built on a background thread while the results file is being parsed,
// so the rasterisation costs no wall time on a machine with a spare core.
import Dispatch
import SharedData
import SharedMasks
import SharedSupport

/// Runs of each ground-truth annotation (by row of `dataset.annotations`), or none.
struct GroundTruthMasks: Sendable {
    /// Runs of row r: `counts[offsets[r]..<offsets[r + 1]]`.
    let counts: [UInt32]
    let offsets: [Int]
    let boxes: [BoxXYWH]

    /// Rasterises the annotations the evaluation can use (known image and category; LVIS:
    /// positive area). Throws for a missing or unreadable segmentation, naming the record,
    /// for an image too large for any mask (every image may carry detection masks), and for
    /// polygons whose masks would pass `budget` (summed from the vertices before any is made).
    static func rasterize(dataset: Dataset, index: GroundTruthIndex, style: EvaluationStyle, path: String,
                          budget: MaskRunBudget) throws -> GroundTruthMasks {
        try checkImageSizes(dataset: dataset, path: path)
        var budget = budget
        for (row, annotation) in dataset.annotations.enumerated() {
            guard let (image, segmentation) = used(annotation, index: index, style: style), let segmentation else { continue }
            let size = index.imageSizes[image]
            try budget.spend(RLE.runBound(segmentation: segmentation, height: size.height, width: size.width),
                             path: path, record: "annotations[\(row)] (id \(annotation.id))")
        }
        var counts: [UInt32] = []
        var offsets = [0]
        var boxes: [BoxXYWH] = []
        offsets.reserveCapacity(dataset.annotations.count + 1)
        boxes.reserveCapacity(dataset.annotations.count)
        for (row, annotation) in dataset.annotations.enumerated() {
            defer { offsets.append(counts.count) }
            guard let (image, _) = used(annotation, index: index, style: style) else {
                boxes.append(BoxXYWH(x: 0, y: 0, width: 0, height: 0))
                continue
            }
            let size = index.imageSizes[image]
            let record = "annotations[\(row)] (id \(annotation.id))"
            guard let segmentation = annotation.segmentation else {
                throw ToolError("annotation has no segmentation", file: path, record: record,
                                hint: "mask AP needs ground-truth masks; use --iou-type bbox")
            }
            if let rleSize = segmentation.size, rleSize.height != size.height || rleSize.width != size.width {
                throw ToolError("mask size \(rleSize.height)x\(rleSize.width) differs from its image (\(size.height)x\(size.width))",
                                file: path, record: record)
            }
            let rle: RLE
            do {
                rle = try RLE(segmentation: segmentation, height: size.height, width: size.width)
            } catch let error as ToolError {
                throw ToolError(error.message, file: path, record: record, hint: error.hint)
            }
            let start = counts.count
            counts.append(contentsOf: rle.counts)
            let box = counts.withUnsafeBufferPointer { all in
                RunLengthKernels.boundingBox(UnsafeBufferPointer(rebasing: all[start...]), height: size.height, width: size.width)
            }
            boxes.append(box)
        }
        return GroundTruthMasks(counts: counts, offsets: offsets, boxes: boxes)
    }
}

extension GroundTruthMasks {
    /// The image index and segmentation of an annotation the evaluation uses (known image and
    /// category; LVIS: positive, finite area), else nil.
    static func used(_ annotation: GroundTruthAnnotation, index: GroundTruthIndex,
                     style: EvaluationStyle) -> (image: Int, segmentation: Segmentation?)? {
        guard let image = index.imageIndex(of: annotation.imageID), index.categoryIndex(of: annotation.categoryID) != nil,
              style == .coco || (annotation.area > 0 && annotation.area < .infinity) else { return nil }
        return (image, annotation.segmentation)
    }

    /// Throws for the first image whose height * width no RLE mask can describe (more than
    /// 2^32 - 1 pixels): its masks, even empty ones and detection boxes made masks, cannot exist.
    static func checkImageSizes(dataset: Dataset, path: String) throws {
        for (row, image) in dataset.images.enumerated() where RLE.pixels(height: image.height, width: image.width) == nil {
            let error = RLE.sizeError(height: image.height, width: image.width)
            throw ToolError(error.message, file: path, record: "images[\(row)] (id \(image.id))",
                            hint: "check the image's width and height; masks of an image this large cannot be evaluated (--iou-type bbox needs none)")
        }
    }
}

/// A value computed on a background thread; `wait()` joins it and rethrows its error.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<Value, Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        group.enter()
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.group.leave()
        }
    }

    func wait() throws -> Value {
        group.wait()
        return try result!.get()
    }
}
