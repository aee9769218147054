// The record payload layout (docs/shard-format.md, "Record payload"): ShardRecord <-> bytes.
import SharedSupport

extension ShardRecord {
    /// Segmentation kind tags in the payload.
    enum SegmentationTag: UInt8 { case none = 0, polygons = 1, uncompressedRLE = 2, compressedRLE = 3 }

    /// Appends the payload bytes of this record.
    public func encode(into writer: inout ByteWriter) {
        writer.i64(Int64(imageID.rawValue))
        writer.string(fileName)
        writer.u32(UInt32(originalWidth)); writer.u32(UInt32(originalHeight))
        writer.u32(UInt32(storedWidth)); writer.u32(UInt32(storedHeight))
        writer.u8(encoding.rawValue)
        writer.u32(UInt32(imageBytes.count))
        writer.raw(imageBytes)
        writer.u32(UInt32(negativeClasses.count))
        for index in negativeClasses { writer.u32(UInt32(index.rawValue)) }
        writer.u32(UInt32(notExhaustiveClasses.count))
        for index in notExhaustiveClasses { writer.u32(UInt32(index.rawValue)) }
        writer.u32(UInt32(instances.count))
        for instance in instances {
            writer.i64(Int64(instance.annotationID.rawValue))
            writer.u32(UInt32(instance.classIndex.rawValue))
            writer.u8(instance.isCrowd ? 1 : 0)
            writer.f32(Float(instance.box.x1)); writer.f32(Float(instance.box.y1))
            writer.f32(Float(instance.box.x2)); writer.f32(Float(instance.box.y2))
            switch instance.segmentation {
            case .none:
                writer.u8(SegmentationTag.none.rawValue)
            case .polygons(let polygons):
                writer.u8(SegmentationTag.polygons.rawValue)
                writer.u32(UInt32(polygons.count))
                for polygon in polygons {
                    writer.u32(UInt32(polygon.count))
                    for value in polygon { writer.f32(value) }
                }
            case let .uncompressedRLE(height, width, counts):
                writer.u8(SegmentationTag.uncompressedRLE.rawValue)
                writer.u32(UInt32(height)); writer.u32(UInt32(width))
                writer.u32(UInt32(counts.count))
                for count in counts { writer.u32(count) }
            case let .compressedRLE(height, width, counts):
                writer.u8(SegmentationTag.compressedRLE.rawValue)
                writer.u32(UInt32(height)); writer.u32(UInt32(width))
                writer.u32(UInt32(counts.count))
                writer.raw(counts)
            }
        }
    }

    /// Parses one payload. Throws `ToolError` naming `file` and the record on bad bytes.
    public static func decode(_ payload: UnsafeRawBufferPointer, file: String, index: Int) throws -> ShardRecord {
        var cursor = ByteCursor(payload)
        do {
            let imageID = ImageID(Int(try cursor.i64()))
            let fileName = try cursor.string()
            let originalWidth = Int(try cursor.u32()), originalHeight = Int(try cursor.u32())
            let storedWidth = Int(try cursor.u32()), storedHeight = Int(try cursor.u32())
            guard let encoding = StoredImageEncoding(rawValue: try cursor.u8()) else {
                throw ToolError("unknown image encoding", file: file, record: "record \(index)", hint: ShardFormat.regenerateHint)
            }
            let imageBytes = try cursor.raw(try cursor.count(elementSize: 1))
            var negatives: [ClassIndex] = []
            for _ in 0..<(try cursor.count(elementSize: 4)) { negatives.append(ClassIndex(Int(try cursor.u32()))) }
            var notExhaustive: [ClassIndex] = []
            for _ in 0..<(try cursor.count(elementSize: 4)) { notExhaustive.append(ClassIndex(Int(try cursor.u32()))) }
            let instanceCount = try cursor.count(elementSize: 30)
            var instances: [ShardInstance] = []
            instances.reserveCapacity(instanceCount)
            for _ in 0..<instanceCount {
                let annotationID = AnnotationID(Int(try cursor.i64()))
                let classIndex = ClassIndex(Int(try cursor.u32()))
                let crowdFlag = try cursor.u8()
                guard crowdFlag <= 1 else {
                    throw ToolError("crowd flag \(crowdFlag) is not 0 or 1", file: file, record: "record \(index)",
                                    hint: ShardFormat.regenerateHint)
                }
                let isCrowd = crowdFlag == 1
                let x1 = try cursor.f32(), y1 = try cursor.f32(), x2 = try cursor.f32(), y2 = try cursor.f32()
                let segmentation: ShardSegmentation
                switch SegmentationTag(rawValue: try cursor.u8()) {
                case .none?: segmentation = .none
                case .polygons?:
                    var polygons: [[Float]] = []
                    for _ in 0..<(try cursor.count(elementSize: 4)) {
                        let length = try cursor.count(elementSize: 4)
                        var polygon = [Float](); polygon.reserveCapacity(length)
                        for _ in 0..<length { polygon.append(try cursor.f32()) }
                        polygons.append(polygon)
                    }
                    segmentation = .polygons(polygons)
                case .uncompressedRLE?:
                    let height = Int(try cursor.u32()), width = Int(try cursor.u32())
                    var counts: [UInt32] = []
                    for _ in 0..<(try cursor.count(elementSize: 4)) { counts.append(try cursor.u32()) }
                    segmentation = .uncompressedRLE(height: height, width: width, counts: counts)
                case .compressedRLE?:
                    let height = Int(try cursor.u32()), width = Int(try cursor.u32())
                    segmentation = .compressedRLE(height: height, width: width, counts: try cursor.raw(try cursor.count(elementSize: 1)))
                case nil:
                    throw ToolError("unknown segmentation kind", file: file, record: "record \(index)", hint: ShardFormat.regenerateHint)
                }
                instances.append(ShardInstance(annotationID: annotationID, classIndex: classIndex, isCrowd: isCrowd,
                                               box: BoxXYXY(x1: Double(x1), y1: Double(y1), x2: Double(x2), y2: Double(y2)),
                                               segmentation: segmentation))
            }
            guard cursor.remaining == 0 else {
                throw ToolError("\(cursor.remaining) unexpected bytes after the record", file: file, record: "record \(index)",
                                hint: ShardFormat.regenerateHint)
            }
            return ShardRecord(imageID: imageID, fileName: fileName, originalWidth: originalWidth, originalHeight: originalHeight,
                               storedWidth: storedWidth, storedHeight: storedHeight, encoding: encoding, imageBytes: imageBytes,
                               instances: instances, negativeClasses: negatives, notExhaustiveClasses: notExhaustive)
        } catch is ByteCursor.Truncated {
            throw ToolError("record payload ends early (the file is damaged)", file: file, record: "record \(index)",
                            hint: ShardFormat.regenerateHint)
        }
    }
}
