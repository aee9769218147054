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

    public init(classIndex: ClassIndex, isCrowd: Bool, box: BoxXYXY, polygons: [[Double]]?, segmentation: ShardSegmentation) {
        self.classIndex = classIndex
        self.isCrowd = isCrowd
        self.box = box
        self.polygons = polygons
        self.segmentation = segmentation
    }
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

    public init(datasetIndex: Int, imageID: ImageID, originalWidth: Int, originalHeight: Int, geometry: InputGeometry,
                instances: [LoadedInstance]) {
        self.datasetIndex = datasetIndex
        self.imageID = imageID
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.geometry = geometry
        self.instances = instances
    }

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

    public init(iteration: Int, epoch: Int, images: [LoadedImage], width: Int, height: Int, pixels: [Float]) {
        precondition(pixels.count == images.count * 3 * width * height, "pixels must be [N, 3, height, width]")
        self.iteration = iteration
        self.epoch = epoch
        self.images = images
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var count: Int { images.count }
}
