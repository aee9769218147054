// A loaded ground-truth json: its detected format and its three record lists, in file order.

/// Which flavour of annotation json a file is, detected from its content.
public enum DatasetFormat: String, Hashable, Sendable, CaseIterable {
    /// COCO instances: no federated fields.
    case coco
    /// LVIS v1: federated fields, images carry `coco_url`.
    case lvisV1 = "lvis-v1"
    /// LVIS v0.5: federated fields, images carry `file_name` like `COCO_val2014_...`.
    case lvisV05 = "lvis-v0.5"

    public var isLVIS: Bool { self != .coco }
}

/// A COCO or LVIS ground-truth file in memory.
public struct Dataset: Sendable {
    public var format: DatasetFormat
    public var images: [ImageInfo]
    public var annotations: [GroundTruthAnnotation]
    public var categories: [CategoryInfo]

    public init(format: DatasetFormat, images: [ImageInfo], annotations: [GroundTruthAnnotation],
                categories: [CategoryInfo]) {
        self.format = format
        self.images = images
        self.annotations = annotations
        self.categories = categories
    }
}
