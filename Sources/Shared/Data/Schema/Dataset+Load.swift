// Loading a COCO / LVIS v1 / LVIS v0.5 ground-truth json in one pass over the bytes, with
// the format detected from content and bad records reported with file, record and line.
import SharedSupport

/// What a ground-truth file is read for, so the hint for a results file given in its place
/// names the fix in that tool.
public enum GroundTruthUse: Sendable {
    /// Evaluation (detect-eval): ground truth beside a results file.
    case evaluation
    /// Conversion (lvis-prep convert --annotations): the annotations to turn into shards.
    case conversion

    /// An image's `width` or `height`. Conversion takes any integer and refuses a zero,
    /// negative or oversized image alone (counted, the rest converted); evaluation needs a
    /// size of at least 0 for every image of the file.
    func readImageSide(_ reader: inout JSONReader, field: StaticString, record: RecordName) throws -> Int {
        switch self {
        case .evaluation: return try reader.readCount(field: field, record: record)
        case .conversion: return try reader.readInteger(field: field, record: record)
        }
    }

    var resultsFileHint: String {
        switch self {
        case .evaluation:
            return "is this a results file? pass it as the results argument"
        case .conversion:
            return "is this a results file (a list of detections)? --annotations needs a COCO or LVIS annotation json"
        }
    }
}

extension Dataset {
    /// Loads a ground-truth json ("-" reads standard input).
    public static func load(path: String, use: GroundTruthUse = .evaluation) throws -> Dataset {
        let input = try JSONInput(path: path)
        return try withExtendedLifetime(input) { try load(reader: input.makeReader(), use: use) }
    }

    /// Loads a ground-truth json from bytes already opened (`input.bytes.count` is its size).
    public static func load(input: JSONInput, use: GroundTruthUse = .evaluation) throws -> Dataset {
        try withExtendedLifetime(input) { try load(reader: input.makeReader(), use: use) }
    }

    /// Loads a ground-truth json held in memory (tests, generated data).
    public static func load(text: String, path: String = "<text>", use: GroundTruthUse = .evaluation) throws -> Dataset {
        let input = JSONInput(text: text, path: path)
        return try withExtendedLifetime(input) { try load(reader: input.makeReader(), use: use) }
    }

    static func load(reader start: JSONReader, use: GroundTruthUse) throws -> Dataset {
        var reader = start
        var images: [ImageInfo]?
        var annotations: [GroundTruthAnnotation] = []
        var categories: [CategoryInfo]?
        var sawFederatedFields = false
        guard try reader.peek() == .object else {
            throw reader.error("a ground-truth file must be a JSON object with images, annotations and categories",
                               at: reader.offset, hint: use.resultsFileHint)
        }
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "images" {
                images = try readList(&reader, name: "images") { reader, record in
                    try readImage(&reader, record: &record, use: use, sawFederatedFields: &sawFederatedFields)
                }
            } else if key == "annotations" {
                annotations = try readList(&reader, name: "annotations") { reader, record in
                    try readAnnotation(&reader, record: &record)
                }
            } else if key == "categories" {
                categories = try readList(&reader, name: "categories") { reader, record in
                    try readCategory(&reader, record: &record)
                }
            } else {
                try reader.skipValue()
            }
        }
        try reader.finish()
        guard let images else {
            throw ToolError("the file has no \"images\" list", file: reader.path,
                            hint: "a COCO or LVIS annotation file has images, annotations and categories")
        }
        guard let categories else {
            throw ToolError("the file has no \"categories\" list", file: reader.path,
                            hint: "a COCO or LVIS annotation file has images, annotations and categories")
        }
        try checkUnique(images.map(\.id.rawValue), list: "images", path: reader.path)
        try checkUnique(categories.map(\.id.rawValue), list: "categories", path: reader.path)
        try checkUnique(annotations.map(\.id.rawValue), list: "annotations", path: reader.path)
        let format = detectFormat(images: images, sawFederatedFields: sawFederatedFields)
        return Dataset(format: format, images: images, annotations: annotations, categories: categories)
    }

    /// LVIS if any image has federated fields; v0.5 if its images have COCO-style file
    /// names (`COCO_val2014_...`), v1 otherwise (v1 images have only `coco_url`).
    static func detectFormat(images: [ImageInfo], sawFederatedFields: Bool) -> DatasetFormat {
        guard sawFederatedFields else { return .coco }
        if images.contains(where: { $0.fileName?.hasPrefix("COCO_") ?? false }) { return .lvisV05 }
        return .lvisV1
    }

    private static func checkUnique(_ ids: [Int], list: String, path: String) throws {
        var seen = Set<Int>(minimumCapacity: ids.count)
        for (index, id) in ids.enumerated() where !seen.insert(id).inserted {
            throw ToolError("duplicate id \(id) in \(list)", file: path, record: "\(list)[\(index)] (id \(id))",
                            hint: "ids must be unique within \(list)")
        }
    }

    /// Reads a JSON list of records, calling `element` with the reader at each one.
    static func readList<Element>(_ reader: inout JSONReader, name: StaticString,
                                  _ element: (inout JSONReader, inout RecordName) throws -> Element) throws -> [Element] {
        guard try reader.peek() == .array else {
            throw reader.error("\"\(name)\" must be a list", at: reader.offset)
        }
        var result: [Element] = []
        var record = RecordName(list: name, index: 0)
        try reader.beginArray()
        while try reader.nextElement() {
            record.id = nil
            guard try reader.peek() == .object else {
                throw reader.error("each entry must be an object", record: record.text, at: reader.offset)
            }
            result.append(try element(&reader, &record))
            record.index += 1
        }
        return result
    }

    static func missing(_ field: String, _ reader: JSONReader, _ record: RecordName, at position: Int) -> ToolError {
        reader.error("required field \"\(field)\" is missing", record: record.text, at: position,
                     hint: "the file does not follow the COCO/LVIS format")
    }

    static func readImage(_ reader: inout JSONReader, record: inout RecordName, use: GroundTruthUse,
                          sawFederatedFields: inout Bool) throws -> ImageInfo {
        let start = reader.offset
        var id: Int?, width: Int?, height: Int?
        var fileName: String?, cocoURL: String?
        var negative: [CategoryID]?, notExhaustive: [CategoryID]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "id" {
                id = try reader.readIdentifier(field: "id", record: record)
                record.id = id
            } else if key == "width" {
                width = try use.readImageSide(&reader, field: "width", record: record)
            } else if key == "height" {
                height = try use.readImageSide(&reader, field: "height", record: record)
            } else if key == "file_name" {
                fileName = try reader.readString()
            } else if key == "coco_url" {
                cocoURL = try reader.readString()
            } else if key == "neg_category_ids" {
                negative = try reader.readCategoryIDs(field: "neg_category_ids", record: record)
                sawFederatedFields = true
            } else if key == "not_exhaustive_category_ids" {
                notExhaustive = try reader.readCategoryIDs(field: "not_exhaustive_category_ids", record: record)
                sawFederatedFields = true
            } else {
                try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", reader, record, at: start) }
        guard let width else { throw missing("width", reader, record, at: start) }
        guard let height else { throw missing("height", reader, record, at: start) }
        return ImageInfo(id: ImageID(id), width: width, height: height, fileName: fileName, cocoURL: cocoURL,
                         negativeCategoryIDs: negative, notExhaustiveCategoryIDs: notExhaustive)
    }

    static func readCategory(_ reader: inout JSONReader, record: inout RecordName) throws -> CategoryInfo {
        let start = reader.offset
        var id: Int?, name: String?
        var frequency: FrequencyGroup?
        var imageCount: Int?, instanceCount: Int?
        var synset: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "id" {
                id = try reader.readIdentifier(field: "id", record: record)
                record.id = id
            } else if key == "name" {
                name = try reader.readString()
            } else if key == "frequency" {
                let position = reader.offset
                let text = try reader.readString()
                guard let group = FrequencyGroup(rawValue: text) else {
                    throw reader.error("frequency is \"\(text)\"; expected \"r\", \"c\" or \"f\"", record: record.text,
                                       at: position)
                }
                frequency = group
            } else if key == "image_count" {
                imageCount = try reader.readCount(field: "image_count", record: record)
            } else if key == "instance_count" {
                instanceCount = try reader.readCount(field: "instance_count", record: record)
            } else if key == "synset" {
                synset = try reader.readString()
            } else {
                try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", reader, record, at: start) }
        guard let name else { throw missing("name", reader, record, at: start) }
        return CategoryInfo(id: CategoryID(id), name: name, frequency: frequency, imageCount: imageCount,
                            instanceCount: instanceCount, synset: synset)
    }

    static func readAnnotation(_ reader: inout JSONReader, record: inout RecordName) throws -> GroundTruthAnnotation {
        let start = reader.offset
        var id: Int?, imageID: Int?, categoryID: Int?
        var bbox: BoxXYWH?, area: Double?
        var isCrowd = false, ignore = false
        var segmentation: Segmentation?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "id" {
                id = try reader.readIdentifier(field: "id", record: record)
                record.id = id
            } else if key == "image_id" {
                imageID = try reader.readIdentifier(field: "image_id", record: record)
            } else if key == "category_id" {
                categoryID = try reader.readIdentifier(field: "category_id", record: record)
            } else if key == "bbox" {
                bbox = try reader.readBox(field: "bbox", record: record)
            } else if key == "area" {
                area = try reader.readFiniteNumber(field: "area", record: record)
            } else if key == "iscrowd" {
                isCrowd = try reader.readFlag(field: "iscrowd", record: record)
            } else if key == "ignore" {
                ignore = try reader.readFlag(field: "ignore", record: record)
            } else if key == "segmentation" {
                segmentation = try reader.readSegmentation(record: record)
            } else {
                try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", reader, record, at: start) }
        guard let imageID else { throw missing("image_id", reader, record, at: start) }
        guard let categoryID else { throw missing("category_id", reader, record, at: start) }
        guard let bbox else { throw missing("bbox", reader, record, at: start) }
        guard let area else { throw missing("area", reader, record, at: start) }
        return GroundTruthAnnotation(id: AnnotationID(id), imageID: ImageID(imageID), categoryID: CategoryID(categoryID),
                                     bbox: bbox, area: area, isCrowd: isCrowd, ignore: ignore, segmentation: segmentation)
    }
}
