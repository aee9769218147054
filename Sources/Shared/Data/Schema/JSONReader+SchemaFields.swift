// Field readers shared by the dataset loader and the results reader: integer ids (a
// string id is an error), finite numbers, boxes, id lists and segmentations.
import SharedSupport

/// What kind of file a record comes from, so a hint names the fix that fits it.
enum RecordSource {
    /// A ground-truth annotation file (images, annotations, categories).
    case groundTruth
    /// A results file: a model's detections.
    case detections

    /// Why a value may be NaN or infinite, and what to do.
    var nonFiniteHint: String {
        switch self {
        case .groundTruth:
            return "annotation values must be finite numbers: fix or remove this record in the annotation file (whatever wrote it produced NaN or infinity)"
        case .detections:
            return "a model that outputs NaN or infinity diverged; check its training log"
        }
    }
}

/// Where a record sits, for errors: "annotations[4] (id 17)".
struct RecordName {
    var list: StaticString
    var index: Int
    var id: Int?
    var source: RecordSource = .groundTruth

    var text: String {
        if let id { return "\(list)[\(index)] (id \(id))" }
        return "\(list)[\(index)]"
    }
}

extension JSONReader {
    /// An integer id; a string id is an error (pycocotools would treat "7" and 7 as two ids).
    mutating func readIdentifier(field: StaticString, record: RecordName) throws -> Int {
        let position = valueOffset()
        let kind = try peek()
        if kind == .string {
            let text = try readString()
            throw error("\(field) is the string \"\(text)\"; ids must be JSON integers", record: record.text, at: position,
                        hint: "write ids as numbers; pycocotools treats \"\(text)\" and \(text) as different ids")
        }
        guard kind == .number else {
            throw error("\(field) must be an integer id", record: record.text, at: position)
        }
        do {
            return try readInt()
        } catch let failure as ToolError {
            throw error("\(field) must be an integer id (\(failure.message))", record: record.text, at: position)
        }
    }

    /// A number that must be finite (NaN and infinities are errors).
    mutating func readFiniteNumber(field: StaticString, record: RecordName) throws -> Double {
        let position = valueOffset()
        guard try peek() == .number else {
            throw error("\(field) must be a number", record: record.text, at: position)
        }
        let value = try readDouble()
        guard value.isFinite else {
            throw error("\(field) is \(value); it must be a finite number", record: record.text, at: position,
                        hint: record.source.nonFiniteHint)
        }
        return value
    }

    /// Any integer (a fraction, a string or a number beyond 64 bits is an error).
    mutating func readInteger(field: StaticString, record: RecordName) throws -> Int {
        let position = valueOffset()
        guard try peek() == .number else {
            throw error("\(field) must be an integer", record: record.text, at: position)
        }
        do {
            return try readInt()
        } catch let failure as ToolError {
            throw error("\(field) must be an integer (\(failure.message))", record: record.text, at: position)
        }
    }

    /// A non-negative integer such as `width` or `iscrowd`.
    mutating func readCount(field: StaticString, record: RecordName) throws -> Int {
        let position = valueOffset()
        let value = try readInteger(field: field, record: record)
        guard value >= 0 else { throw error("\(field) is negative (\(value))", record: record.text, at: position) }
        return value
    }

    /// A 0/1 (or true/false) flag such as `iscrowd` or `ignore`.
    mutating func readFlag(field: StaticString, record: RecordName) throws -> Bool {
        if try peek() == .bool { return try readBool() }
        if try consumeNull() { return false }
        let position = valueOffset()
        guard try peek() == .number else {
            throw error("\(field) must be 0 or 1", record: record.text, at: position)
        }
        return try readDouble() != 0
    }

    /// `[x, y, w, h]`: four finite numbers, w and h not negative.
    mutating func readBox(field: StaticString, record: RecordName) throws -> BoxXYWH {
        let position = valueOffset()
        guard let box = try readOptionalBox(field: field, record: record) else {
            throw error("\(field) is empty; expected [x, y, width, height]", record: record.text, at: position)
        }
        return box
    }

    /// A box, or nil for `null` or `[]` (pycocotools treats `"bbox": []` in results as no box).
    mutating func readOptionalBox(field: StaticString, record: RecordName) throws -> BoxXYWH? {
        let position = valueOffset()
        if try consumeNull() { return nil }
        guard try peek() == .array else {
            throw error("\(field) must be a list [x, y, width, height]", record: record.text, at: position)
        }
        var values: (Double, Double, Double, Double) = (0, 0, 0, 0)
        var count = 0
        try beginArray()
        while try nextElement() {
            let value = try readFiniteNumber(field: field, record: record)
            switch count {
            case 0: values.0 = value
            case 1: values.1 = value
            case 2: values.2 = value
            case 3: values.3 = value
            default: break
            }
            count += 1
        }
        if count == 0 { return nil }
        guard count == 4 else {
            throw error("\(field) has \(count) numbers; expected [x, y, width, height]", record: record.text, at: position)
        }
        guard values.2 >= 0 && values.3 >= 0 else {
            throw error("\(field) has a negative size (width \(values.2), height \(values.3))", record: record.text,
                        at: position, hint: "boxes are [x, y, width, height], not corner coordinates")
        }
        return BoxXYWH(x: values.0, y: values.1, width: values.2, height: values.3)
    }

    /// A list of category ids (LVIS federated fields).
    mutating func readCategoryIDs(field: StaticString, record: RecordName) throws -> [CategoryID] {
        let position = valueOffset()
        guard try peek() == .array else {
            throw error("\(field) must be a list of category ids", record: record.text, at: position)
        }
        var ids: [CategoryID] = []
        try beginArray()
        while try nextElement() {
            ids.append(CategoryID(try readIdentifier(field: field, record: record)))
        }
        return ids
    }

    /// A `segmentation`: polygons, `{"size", "counts": [ints]}` or `{"size", "counts": "..."}`;
    /// nil for `null` or an empty list.
    mutating func readSegmentation(record: RecordName) throws -> Segmentation? {
        let position = valueOffset()
        switch try peek() {
        case .null:
            _ = try consumeNull()
            return nil
        case .array:
            var polygons: [[Double]] = []
            try beginArray()
            while try nextElement() {
                guard try peek() == .array else {
                    throw error("segmentation must be a list of polygons (lists of numbers)", record: record.text,
                                at: valueOffset())
                }
                var polygon: [Double] = []
                try beginArray()
                while try nextElement() {
                    polygon.append(try readFiniteNumber(field: "segmentation", record: record))
                }
                polygons.append(polygon)
            }
            return .polygons(polygons)
        case .object:
            return try readRLE(record: record, at: position)
        default:
            throw error("segmentation must be a list of polygons or an RLE object", record: record.text, at: position)
        }
    }

    private mutating func readRLE(record: RecordName, at position: Int) throws -> Segmentation {
        var size: (Int, Int)?
        var uncompressed: [UInt32]?
        var compressed: [UInt8]?
        try beginObject()
        while let key = try nextKey() {
            if key == "size" {
                let sizePosition = valueOffset()
                var values: [Int] = []
                guard try peek() == .array else {
                    throw error("segmentation size must be [height, width]", record: record.text, at: sizePosition)
                }
                try beginArray()
                while try nextElement() { values.append(try readCount(field: "segmentation size", record: record)) }
                guard values.count == 2 else {
                    throw error("segmentation size must be [height, width]", record: record.text, at: sizePosition)
                }
                size = (values[0], values[1])
            } else if key == "counts" {
                let countsPosition = valueOffset()
                switch try peek() {
                case .string:
                    compressed = try readStringBytes()
                case .array:
                    var counts: [UInt32] = []
                    try beginArray()
                    while try nextElement() {
                        let value = try readCount(field: "segmentation counts", record: record)
                        guard value <= Int(UInt32.max) else {
                            throw error("segmentation count \(value) is too large", record: record.text, at: countsPosition)
                        }
                        counts.append(UInt32(value))
                    }
                    uncompressed = counts
                default:
                    throw error("segmentation counts must be a string or a list of integers", record: record.text,
                                at: countsPosition)
                }
            } else {
                try skipValue()
            }
        }
        guard let (height, width) = size else {
            throw error("RLE segmentation has no size [height, width]", record: record.text, at: position)
        }
        if let compressed { return .compressedRLE(height: height, width: width, counts: compressed) }
        if let uncompressed { return .uncompressedRLE(height: height, width: width, counts: uncompressed) }
        throw error("RLE segmentation has no counts", record: record.text, at: position)
    }

}
