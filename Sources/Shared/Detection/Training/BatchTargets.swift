// A loader batch as the model's inputs: the image tensor [N, 3, H, W] and one
// `TrainingImageTargets` per image (input pixels). Crowd instances are left out (mmdetection
// puts them in `gt_bboxes_ignore`, which its assigners do not use by default); instances
// without polygons (RLE masks) are left out too, because the mask targets are rasterised
// from polygons; both are counted so the trainer can report them.
import SharedSupport
import SharedTensor
import SharedData

/// Instances not used as training targets, by reason.
public struct SkippedInstances: Sendable, Equatable {
    public var crowd = 0
    public var withoutPolygons = 0

    public init() {}

    public mutating func add(_ other: SkippedInstances) {
        crowd += other.crowd
        withoutPolygons += other.withoutPolygons
    }
}

public enum BatchTargets {
    /// The batch's pixels as a tensor (one copy).
    public static func imageTensor(_ batch: ImageBatch) -> Tensor {
        Tensor(shape: [batch.count, 3, batch.height, batch.width], values: batch.pixels)
    }

    /// The targets of every image of `batch`, and what was left out.
    public static func targets(_ batch: ImageBatch) -> (targets: [TrainingImageTargets], skipped: SkippedInstances) {
        var skipped = SkippedInstances()
        let targets = batch.images.map { image -> TrainingImageTargets in
            var boxes: [Box] = [], classes: [Int] = [], polygons: [PolygonList] = []
            for instance in image.instances {
                if instance.isCrowd { skipped.crowd += 1; continue }
                guard let list = instance.polygons, !list.isEmpty else { skipped.withoutPolygons += 1; continue }
                boxes.append(Box(instance.box))
                classes.append(instance.classIndex.rawValue)
                polygons.append(list)
            }
            return TrainingImageTargets(inputSize: ImageSize(width: image.inputWidth, height: image.inputHeight),
                                        boxes: boxes, classes: classes, polygons: polygons)
        }
        return (targets, skipped)
    }

    /// Where each image of `batch` came from, for `MaskRCNN.detect`.
    public static func inputInfo(_ batch: ImageBatch) -> [InputImageInfo] {
        batch.images.map {
            InputImageInfo(inputSize: ImageSize(width: $0.inputWidth, height: $0.inputHeight),
                           originalSize: ImageSize(width: $0.originalWidth, height: $0.originalHeight))
        }
    }
}
