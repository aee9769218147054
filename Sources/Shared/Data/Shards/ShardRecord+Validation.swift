// What a decoded record must satisfy before anyone uses it (docs/shard-format.md, "What a
// reader checks"): a record whose CRC is valid may still be crafted, and a NaN box or a class
// index past the category table must be refused here, naming the record, not trap later.
import SharedSupport

extension ShardRecord {
    /// The first field of a record that breaks the format's rules, in words.
    public struct Problem: Error, Equatable {
        public let message: String
    }

    /// Throws `Problem` for the first bad field. `categoryCount`: the category table's size
    /// (class indices must be below it); nil leaves class indices unchecked. `imageLimit`:
    /// the folder's convert settings (`ConvertSettings.storedImageLimit`); nil leaves only
    /// the format's own size limits.
    public func validate(categoryCount: Int?, imageLimit: StoredImageLimit? = nil) throws {
        try validateSizes()
        if let problem = imageLimit?.problem(originalWidth: originalWidth, originalHeight: originalHeight,
                                             storedWidth: storedWidth, storedHeight: storedHeight) {
            throw Problem(message: problem)
        }
        try validatePixels()
        for (name, list) in [("negative", negativeClasses), ("not-exhaustive", notExhaustiveClasses)] {
            for classIndex in list {
                if let problem = Self.classIndexProblem(classIndex, categoryCount: categoryCount) {
                    throw Problem(message: "\(name) class list: \(problem)")
                }
            }
        }
        for (number, instance) in instances.enumerated() {
            if let problem = instanceProblem(instance, categoryCount: categoryCount) {
                throw Problem(message: "instance \(number) (annotation id \(instance.annotationID.rawValue)): \(problem)")
            }
        }
    }

    /// 1 <= stored <= original <= 2^24 along each axis; stored width x height <= 2^28.
    private func validateSizes() throws {
        for (axis, original, stored) in [("width", originalWidth, storedWidth), ("height", originalHeight, storedHeight)] {
            guard (1...ShardFormat.maxImageSide).contains(original) else {
                throw Problem(message: "original \(axis) \(original) is outside 1...\(ShardFormat.maxImageSide)")
            }
            guard (1...original).contains(stored) else {
                throw Problem(message: "stored \(axis) \(stored) is outside 1...\(original) (the original \(axis))")
            }
        }
        // Both sides <= 2^24 here, so the product fits.
        guard storedWidth * storedHeight <= ShardFormat.maxStoredPixels else {
            throw Problem(message: "stored size \(storedWidth)x\(storedHeight) is over \(ShardFormat.maxStoredPixels) pixels")
        }
    }

    /// Raw pixels are exactly width x height x 3 bytes; a JPEG is not empty (its own size is
    /// checked against the record's before it is decoded, in `decodeImage`).
    private func validatePixels() throws {
        switch encoding {
        case .rawRGB:
            let expected = storedWidth * storedHeight * 3  // <= 3 * 2^28
            guard imageBytes.count == expected else {
                throw Problem(message: "raw pixels are \(imageBytes.count) bytes, \(storedWidth)x\(storedHeight) RGB needs \(expected)")
            }
        case .jpeg:
            guard !imageBytes.isEmpty else { throw Problem(message: "the stored JPEG is empty") }
        }
    }

    static func classIndexProblem(_ classIndex: ClassIndex, categoryCount: Int?) -> String? {
        guard let categoryCount, classIndex.rawValue >= categoryCount else { return nil }
        return "class index \(classIndex.rawValue) is outside the category table (\(categoryCount) categories)"
    }

    private func instanceProblem(_ instance: ShardInstance, categoryCount: Int?) -> String? {
        if let problem = Self.classIndexProblem(instance.classIndex, categoryCount: categoryCount) { return problem }
        let box = instance.box
        guard [box.x1, box.y1, box.x2, box.y2].allSatisfy(\.isFinite) else { return "box \(box) is not finite" }
        let tolerance = Double(ShardFormat.boxTolerance)
        guard box.x1 <= box.x2, box.y1 <= box.y2, box.x1 >= -tolerance, box.y1 >= -tolerance,
              box.x2 <= Double(storedWidth) + tolerance, box.y2 <= Double(storedHeight) + tolerance else {
            return "box \(box) is inverted or outside the \(storedWidth)x\(storedHeight) stored image"
        }
        switch instance.segmentation {
        case .none:
            return nil
        case .polygons(let polygons):
            for (number, polygon) in polygons.enumerated() {
                guard polygon.count % 2 == 0, polygon.count >= 6 else {
                    return "polygon \(number) has \(polygon.count) coordinates (needs an even number, at least 6)"
                }
                guard polygon.allSatisfy({ $0.isFinite && abs($0) <= ShardFormat.maxPolygonCoordinate }) else {
                    return "polygon \(number) has a coordinate that is not finite or beyond ±\(Int(ShardFormat.maxPolygonCoordinate))"
                }
            }
            return nil
        case let .uncompressedRLE(height, width, _), let .compressedRLE(height, width, _):
            guard height == originalHeight, width == originalWidth else {
                return "RLE size \(width)x\(height) is not the original image size \(originalWidth)x\(originalHeight)"
            }
            return nil
        }
    }
}
