// Writing schema records with the shared JSONWriter, in the COCO/LVIS layout the loader
// reads back: results files (`detect-train predict`) and whole datasets (`lvis-prep`).
import SharedSupport

extension Segmentation {
    /// Writes the `segmentation` value: a list of polygons or an RLE object.
    public func write(to json: inout JSONWriter) {
        switch self {
        case let .polygons(polygons):
            json.beginArray()
            for polygon in polygons { json.value(polygon) }
            json.endArray()
        case let .uncompressedRLE(height, width, counts):
            json.beginObject()
            writeSize(height, width, to: &json)
            json.key("counts")
            json.beginArray()
            for count in counts { json.value(Int(count)) }
            json.endArray()
            json.endObject()
        case let .compressedRLE(height, width, counts):
            json.beginObject()
            writeSize(height, width, to: &json)
            json.key("counts")
            json.value(stringBytes: counts)
            json.endObject()
        }
    }

    private func writeSize(_ height: Int, _ width: Int, to json: inout JSONWriter) {
        json.key("size")
        json.beginArray()
        json.value(height)
        json.value(width)
        json.endArray()
    }
}

extension BoxXYWH {
    /// `[x, y, width, height]`.
    public func write(to json: inout JSONWriter) {
        json.value([x, y, width, height])
    }
}

extension DetectionResult {
    /// One element of a COCO results list.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("image_id"); json.value(imageID.rawValue)
        json.key("category_id"); json.value(categoryID.rawValue)
        if let bbox { json.key("bbox"); bbox.write(to: &json) }
        json.key("score"); json.value(score)
        if let segmentation { json.key("segmentation"); segmentation.write(to: &json) }
        json.endObject()
    }
}

extension ImageInfo {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.value(id.rawValue)
        json.key("width"); json.value(width)
        json.key("height"); json.value(height)
        if let fileName { json.key("file_name"); json.value(fileName) }
        if let cocoURL { json.key("coco_url"); json.value(cocoURL) }
        if let negativeCategoryIDs {
            json.key("neg_category_ids")
            json.beginArray(); for id in negativeCategoryIDs { json.value(id.rawValue) }; json.endArray()
        }
        if let notExhaustiveCategoryIDs {
            json.key("not_exhaustive_category_ids")
            json.beginArray(); for id in notExhaustiveCategoryIDs { json.value(id.rawValue) }; json.endArray()
        }
        json.endObject()
    }
}

extension CategoryInfo {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.value(id.rawValue)
        json.key("name"); json.value(name)
        if let frequency { json.key("frequency"); json.value(frequency.rawValue) }
        if let imageCount { json.key("image_count"); json.value(imageCount) }
        if let instanceCount { json.key("instance_count"); json.value(instanceCount) }
        if let synset { json.key("synset"); json.value(synset) }
        json.endObject()
    }
}

extension GroundTruthAnnotation {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.value(id.rawValue)
        json.key("image_id"); json.value(imageID.rawValue)
        json.key("category_id"); json.value(categoryID.rawValue)
        json.key("bbox"); bbox.write(to: &json)
        json.key("area"); json.value(area)
        json.key("iscrowd"); json.value(isCrowd ? 1 : 0)
        if ignore { json.key("ignore"); json.value(1) }
        if let segmentation { json.key("segmentation"); segmentation.write(to: &json) }
        json.endObject()
    }
}

extension Dataset {
    /// Writes the dataset as one json document (images, annotations, categories; one
    /// record per line), atomically; `Dataset.load` reads it back equal.
    public func write(path: String) throws {
        let file = try AtomicFileWriter(path: path)
        var json = JSONWriter(reservingCapacity: 1 << 20)
        func list<Records: Collection>(_ key: String, _ records: Records, _ write: (Records.Element, inout JSONWriter) -> Void) throws {
            json.key(key)
            json.beginArray()
            for record in records {
                json.newline()
                write(record, &json)
                if json.bytes.count > 1 << 20 { try file.write(json.takeBytes()) }
            }
            json.endArray()
        }
        json.beginObject()
        try list("images", images) { $0.write(to: &$1) }
        try list("annotations", annotations) { $0.write(to: &$1) }
        try list("categories", categories) { $0.write(to: &$1) }
        json.endObject()
        json.newline()
        try file.write(json.takeBytes())
        try file.commit()
    }
}
