// The records of a COCO / LVIS ground-truth json: categories, images and annotations,
// with the LVIS-only fields optional (absent in COCO).

/// LVIS frequency group of a category, by its number of training images.
public enum FrequencyGroup: String, Hashable, Sendable, CaseIterable {
    /// 1-10 training images.
    case rare = "r"
    /// 11-100 training images.
    case common = "c"
    /// More than 100 training images.
    case frequent = "f"
}

/// One entry of the `categories` list.
public struct CategoryInfo: Hashable, Sendable {
    public var id: CategoryID
    public var name: String
    /// LVIS `frequency`; nil in COCO.
    public var frequency: FrequencyGroup?
    /// LVIS `image_count`; nil in COCO.
    public var imageCount: Int?
    /// LVIS `instance_count`; nil in COCO.
    public var instanceCount: Int?
    /// LVIS `synset`; nil in COCO.
    public var synset: String?

    public init(id: CategoryID, name: String, frequency: FrequencyGroup? = nil, imageCount: Int? = nil,
                instanceCount: Int? = nil, synset: String? = nil) {
        self.id = id
        self.name = name
        self.frequency = frequency
        self.imageCount = imageCount
        self.instanceCount = instanceCount
        self.synset = synset
    }
}

/// One entry of the `images` list.
public struct ImageInfo: Hashable, Sendable {
    public var id: ImageID
    public var width: Int
    public var height: Int
    public var fileName: String?
    /// LVIS v1 `coco_url` (also present in COCO files).
    public var cocoURL: String?
    /// LVIS `neg_category_ids`: categories verified absent from the image; nil in COCO.
    public var negativeCategoryIDs: [CategoryID]?
    /// LVIS `not_exhaustive_category_ids`: categories not exhaustively annotated; nil in COCO.
    public var notExhaustiveCategoryIDs: [CategoryID]?

    public init(id: ImageID, width: Int, height: Int, fileName: String? = nil, cocoURL: String? = nil,
                negativeCategoryIDs: [CategoryID]? = nil, notExhaustiveCategoryIDs: [CategoryID]? = nil) {
        self.id = id
        self.width = width
        self.height = height
        self.fileName = fileName
        self.cocoURL = cocoURL
        self.negativeCategoryIDs = negativeCategoryIDs
        self.notExhaustiveCategoryIDs = notExhaustiveCategoryIDs
    }
}

/// One entry of the `annotations` list.
public struct GroundTruthAnnotation: Hashable, Sendable {
    public var id: AnnotationID
    public var imageID: ImageID
    public var categoryID: CategoryID
    public var bbox: BoxXYWH
    /// The `area` field (the segmentation's pixel area in COCO/LVIS files).
    public var area: Double
    /// `iscrowd` (absent = false; LVIS has no crowd).
    public var isCrowd: Bool
    /// The `ignore` field when present (absent = false). COCOeval overwrites it with `iscrowd`.
    public var ignore: Bool
    public var segmentation: Segmentation?

    public init(id: AnnotationID, imageID: ImageID, categoryID: CategoryID, bbox: BoxXYWH, area: Double,
                isCrowd: Bool = false, ignore: Bool = false, segmentation: Segmentation? = nil) {
        self.id = id
        self.imageID = imageID
        self.categoryID = categoryID
        self.bbox = bbox
        self.area = area
        self.isCrowd = isCrowd
        self.ignore = ignore
        self.segmentation = segmentation
    }
}

/// One entry of a COCO results file (a json list of these).
public struct DetectionResult: Hashable, Sendable {
    public var imageID: ImageID
    public var categoryID: CategoryID
    public var score: Double
    public var bbox: BoxXYWH?
    public var segmentation: Segmentation?

    public init(imageID: ImageID, categoryID: CategoryID, score: Double, bbox: BoxXYWH? = nil,
                segmentation: Segmentation? = nil) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.score = score
        self.bbox = bbox
        self.segmentation = segmentation
    }
}
