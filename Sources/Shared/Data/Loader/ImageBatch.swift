// What the loader hands the model: a padded, normalised float batch [N, 3, H, W] and, per
// image, where it came from and its annotations in network-input pixels.

/// One instance mapped into the network input.
public struct LoadedInstance: Sendable, Equatable {
    public var classIndex: ClassIndex
    public var isCrowd: Bool
    /// Corners in input pixels (after resize and flip).
    public var box: BoxXYXY
    /// Polygons as flat [x0, y0, ...] lists in input pixels; nil when the shard stores no
    /// polygons (RLE masks stay in the shard's original-resolution form, see `segmentation`).
    public var polygons: [[Double]]?
    /// The shard's segmentation as stored (RLE is at the original resolution, unflipped).
    public var segmentation: ShardSegmentation
}

/// One image of a batch: its identity and the mapping between the pixel spaces.
public struct LoadedImage: Sendable, Equatable {
    /// Global record index in the `ShardDataset`.
    public var datasetIndex: Int
    public var imageID: ImageID
    public var originalWidth: Int
    public var originalHeight: Int
    /// Stored (shard) pixels -> input pixels.
    public var geometry: InputGeometry
    public var instances: [LoadedInstance]

    public var inputWidth: Int { geometry.inputWidth }
    public var inputHeight: Int { geometry.inputHeight }
    /// Input pixels per original pixel (for mapping predictions back to the original image).
    public var scaleX: Double { Double(geometry.inputWidth) / Double(originalWidth) }
    public var scaleY: Double { Double(geometry.inputHeight) / Double(originalHeight) }
}

/// A batch ready for the network.
public struct ImageBatch: Sendable {
    /// The training iteration (or evaluation batch number) this batch is for.
    public var iteration: Int
    /// The epoch of the batch's first image (training; 0 in evaluation).
    public var epoch: Int
    public var images: [LoadedImage]
    /// Padded size shared by the batch (multiples of the pad multiple).
    public var width: Int
    public var height: Int
    /// [N, 3, height, width] floats, row-major; 0 in the padding.
    public var pixels: [Float]

    public var count: Int { images.count }
}
