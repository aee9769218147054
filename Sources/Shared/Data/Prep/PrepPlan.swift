// The first stage of convert: checks every image's size and file names (PrepPlan+Images.swift)
// and every annotation against its image and category, drops bad ones (counted by kind), and
// groups the rest per image in image-id order, with the image file's candidate paths. No file
// is opened here. Polygon checks are in PrepPlan+Polygons.swift.
import SharedSupport

public struct PlannedInstance: Equatable, Sendable {
    public var annotationID: AnnotationID
    public var classIndex: ClassIndex
    public var isCrowd: Bool
    /// Corners in original pixels, clipped to the image.
    public var box: BoxXYXY
    public var segmentation: Segmentation?
}

public struct PlannedImage: Equatable, Sendable {
    public var info: ImageInfo
    /// Paths relative to the image root, tried in order.
    public var fileCandidates: [String]
    public var instances: [PlannedInstance]
    public var negativeClasses: [ClassIndex]
    public var notExhaustiveClasses: [ClassIndex]
}

public struct PrepPlan: Sendable {
    public var format: DatasetFormat
    public var images: [PlannedImage]
    public var categories: [ShardCategory]
    public var problems: ProblemLog

    /// Boxes may overhang the image by this many pixels (rounding in the source json) and
    /// are clipped; more is bad input.
    public static let boxTolerance = 1.0

    /// Plans `dataset`; images outside `limits` are refused here (see PrepPlan+Images.swift).
    public init(dataset: Dataset, annotationsPath: String, limits: ImageLimits = ImageLimits()) {
        format = dataset.format
        var problems = ProblemLog()
        let imageIndex = Dictionary(uniqueKeysWithValues: dataset.images.enumerated().map { ($1.id, $0) })
        let sortedCategories = dataset.categories.sorted { $0.id < $1.id }
        let classOf = Dictionary(uniqueKeysWithValues: sortedCategories.enumerated().map { ($1.id, ClassIndex($0)) })
        let candidates = dataset.images.map { Self.fileCandidates($0, format: dataset.format) }
        let refusals = dataset.images.indices.map { Self.refusal(of: dataset.images[$0], candidates: candidates[$0], limits: limits) }
        var droppedWithImage = [Int](repeating: 0, count: dataset.images.count)
        var perImage = [[PlannedInstance]](repeating: [], count: dataset.images.count)
        var kept: [GroundTruthAnnotation] = []
        kept.reserveCapacity(dataset.annotations.count)
        for annotation in dataset.annotations {
            let name = "annotation id \(annotation.id)"
            guard let slot = imageIndex[annotation.imageID] else {
                problems.record(.unknownImage, "\(name): image id \(annotation.imageID)")
                continue
            }
            if refusals[slot] != nil {
                droppedWithImage[slot] += 1
                continue
            }
            guard let classIndex = classOf[annotation.categoryID] else {
                problems.record(.unknownCategory, "\(name): category id \(annotation.categoryID)")
                continue
            }
            let image = dataset.images[slot]
            guard let instance = Self.check(annotation, image: image, classIndex: classIndex, problems: &problems) else { continue }
            perImage[slot].append(instance)
            kept.append(annotation)
        }
        categories = CategoryTable.build(dataset: dataset, keptAnnotations: kept)
        var planned: [PlannedImage] = []
        planned.reserveCapacity(dataset.images.count)
        for (slot, image) in dataset.images.enumerated() {
            if let refusal = refusals[slot] {
                let dropped = droppedWithImage[slot] == 0 ? "" : " (its \(droppedWithImage[slot]) annotation(s) left out with it)"
                problems.record(refusal.kind, "image id \(image.id): \(refusal.reason)\(dropped)")
                continue
            }
            let negatives = (image.negativeCategoryIDs ?? []).compactMap { classOf[$0] }
            let notExhaustive = (image.notExhaustiveCategoryIDs ?? []).compactMap { classOf[$0] }
            planned.append(PlannedImage(info: image, fileCandidates: candidates[slot],
                                        instances: perImage[slot], negativeClasses: negatives, notExhaustiveClasses: notExhaustive))
        }
        planned.sort { $0.info.id < $1.info.id }
        images = planned
        self.problems = problems
    }

    /// Validates one annotation; nil (and a recorded problem) when it must be skipped.
    static func check(_ annotation: GroundTruthAnnotation, image: ImageInfo, classIndex: ClassIndex,
                      problems: inout ProblemLog) -> PlannedInstance? {
        let name = "annotation id \(annotation.id) (image \(image.id))"
        let box = annotation.bbox
        guard box.width > 0, box.height > 0, box.x.isFinite, box.y.isFinite else {
            problems.record(.zeroAreaBox, "\(name): bbox \(box)")
            return nil
        }
        let width = Double(image.width), height = Double(image.height), tolerance = boxTolerance
        guard box.x >= -tolerance, box.y >= -tolerance, box.x + box.width <= width + tolerance,
              box.y + box.height <= height + tolerance else {
            problems.record(.boxOutsideImage, "\(name): bbox \(box) in a \(image.width)x\(image.height) image")
            return nil
        }
        let clipped = BoxXYXY(x1: max(0, box.x), y1: max(0, box.y), x2: min(width, box.x + box.width), y2: min(height, box.y + box.height))
        guard clipped.width > 0, clipped.height > 0 else {
            problems.record(.zeroAreaBox, "\(name): bbox \(box) clipped to nothing")
            return nil
        }
        var segmentation = annotation.segmentation
        switch annotation.segmentation {
        case .polygons(let polygons)?:
            // One count per annotation (the unit of every other kind): skipped when no
            // polygon is usable, else kept with the bad polygons dropped, and said so.
            let check = Self.checkPolygons(polygons, imageWidth: image.width, imageHeight: image.height)
            let reasons = check.defects.prefix(3).joined(separator: ", ") + (check.defects.count > 3 ? ", …" : "")
            guard !check.usable.isEmpty else {
                problems.record(.degeneratePolygon, "\(name): \(polygons.count) polygon(s), none usable (\(reasons)); annotation skipped")
                return nil
            }
            if !check.defects.isEmpty {
                problems.record(.degeneratePolygon,
                                "\(name): dropped \(check.defects.count) of \(polygons.count) polygon(s) (\(reasons)); kept the rest")
            }
            segmentation = .polygons(check.usable)
        case .uncompressedRLE(let h, let w, _)?, .compressedRLE(let h, let w, _)?:
            guard h == image.height, w == image.width else {
                problems.record(.rleSizeMismatch, "\(name): RLE size \(w)x\(h), image \(image.width)x\(image.height)")
                return nil
            }
            if let rle = annotation.segmentation, let defect = RLECoverage.defect(of: rle) {
                problems.record(.rleSizeMismatch, "\(name): \(defect)")
                return nil
            }
        case nil:
            break
        }
        return PlannedInstance(annotationID: annotation.id, classIndex: classIndex, isCrowd: annotation.isCrowd,
                               box: clipped, segmentation: segmentation)
    }

    /// Where an image file may be, relative to the image root: LVIS v1 `coco_url`
    /// ".../train2017/X.jpg" -> "train2017/X.jpg" then "X.jpg"; LVIS v0.5
    /// "COCO_val2014_X.jpg" -> itself then its last 16 characters (the 2017 name); COCO
    /// `file_name` -> itself then "train2017/…" / "val2017/…".
    public static func fileCandidates(_ image: ImageInfo, format: DatasetFormat) -> [String] {
        var candidates: [String] = []
        func add(_ path: String) { if !path.isEmpty && !candidates.contains(path) { candidates.append(path) } }
        if let url = image.cocoURL {
            let parts = url.split(separator: "/")
            if parts.count >= 2 { add(parts.suffix(2).joined(separator: "/")) }
            if let last = parts.last { add(String(last)) }
        }
        if let name = image.fileName {
            add(name)
            let base = name.split(separator: "/").last.map(String.init) ?? name
            if base.hasPrefix("COCO_") && base.count > 16 { add(String(base.suffix(16))) }
            for folder in ["train2017", "val2017"] { add(folder + "/" + (base.hasPrefix("COCO_") ? String(base.suffix(16)) : base)) }
        }
        return candidates
    }
}
