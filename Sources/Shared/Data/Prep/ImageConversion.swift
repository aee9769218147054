// The per-image stage of convert: find and read the file (within the byte cap), read its
// header and check the size against the json before decoding any pixel, decode (JPEG at the
// cheapest DCT scale that covers the target), resize by area, re-encode (or keep the
// original JPEG bytes when nothing changes), and rescale boxes and polygons.
import SharedSupport

public struct ConvertOptions: Equatable, Sendable {
    public var maxShortSide: Int?
    public var maxLongSide: Int?
    public var encoding: StoredImageEncoding
    public var jpegQuality: Int
    public var limits: ImageLimits

    public init(maxShortSide: Int? = nil, maxLongSide: Int? = nil, encoding: StoredImageEncoding = .jpeg, jpegQuality: Int = 90,
                limits: ImageLimits = ImageLimits()) {
        self.maxShortSide = maxShortSide
        self.maxLongSide = maxLongSide
        self.encoding = encoding
        self.jpegQuality = jpegQuality
        self.limits = limits
    }
}

/// Why one image was skipped.
public struct ImageProblem: Error, Equatable, Sendable {
    public var kind: ProblemKind
    public var message: String
}

public enum ImageConversion {
    /// Converts one planned image into a shard record.
    public static func convert(_ planned: PlannedImage, imageRoot: String, options: ConvertOptions) -> Result<ShardRecord, ImageProblem> {
        let info = planned.info
        let name = "image id \(info.id)"
        // Found, read within the byte cap and its header checked against the json's size.
        let file: OpenedImageFile
        switch ImageFileOpening.open(info, candidates: planned.fileCandidates, imageRoot: imageRoot, limits: options.limits) {
        case .success(let opened): file = opened
        case .failure(let problem): return .failure(problem)
        }
        let (path, relative, bytes, header) = (file.path, file.relative, file.bytes, file.header)
        let plan = ResizePlan(width: info.width, height: info.height, maxShort: options.maxShortSide, maxLong: options.maxLongSide)
        let imageBytes: [UInt8]
        do {
            if plan.isIdentity && options.encoding == .jpeg && header.format == .jpeg {
                // The right size already: validate (entropy-decode every scan) and keep the
                // original bytes, with no re-encoding loss.
                _ = try bytes.withUnsafeBytes { try JPEGCodec.validate($0) }
                imageBytes = bytes
            } else {
                let decoded = try bytes.withUnsafeBytes { raw in
                    try ImageDecoding.decode(raw, atLeast: (plan.storedWidth, plan.storedHeight))
                }
                guard decoded.fullWidth == info.width, decoded.fullHeight == info.height else {
                    return .failure(ImageProblem(kind: .imageSizeMismatch,
                                                 message: "\(name): \(path): file is \(decoded.fullWidth)x\(decoded.fullHeight), json says \(info.width)x\(info.height)"))
                }
                let stored = AreaResize.resize(decoded.image, width: plan.storedWidth, height: plan.storedHeight)
                imageBytes = options.encoding == .jpeg ? JPEGCodec.encode(stored, quality: options.jpegQuality) : stored.pixels
            }
        } catch let error as ImageDecodeError {
            return .failure(ImageProblem(kind: ProblemKind(error.kind), message: "\(name): \(path): \(error.message)"))
        } catch {
            return .failure(ImageProblem(kind: .corruptImage, message: "\(name): \(path): \(error)"))
        }
        let sx = plan.scaleX, sy = plan.scaleY
        let instances = planned.instances.map { instance -> ShardInstance in
            let box = BoxXYXY(x1: instance.box.x1 * sx, y1: instance.box.y1 * sy, x2: instance.box.x2 * sx, y2: instance.box.y2 * sy)
            let segmentation: ShardSegmentation
            switch instance.segmentation {
            case .polygons(let polygons)?:
                segmentation = .polygons(polygons.map { flat in
                    var scaled = [Float](repeating: 0, count: flat.count)
                    for i in stride(from: 0, to: flat.count, by: 2) {
                        scaled[i] = Float(flat[i] * sx)
                        scaled[i + 1] = Float(flat[i + 1] * sy)
                    }
                    return scaled
                })
            case let .uncompressedRLE(h, w, counts)?: segmentation = .uncompressedRLE(height: h, width: w, counts: counts)
            case let .compressedRLE(h, w, counts)?: segmentation = .compressedRLE(height: h, width: w, counts: counts)
            case nil: segmentation = .none
            }
            return ShardInstance(annotationID: instance.annotationID, classIndex: instance.classIndex, isCrowd: instance.isCrowd,
                                 box: box, segmentation: segmentation)
        }
        return .success(ShardRecord(imageID: info.id, fileName: relative, originalWidth: info.width, originalHeight: info.height,
                                    storedWidth: plan.storedWidth, storedHeight: plan.storedHeight,
                                    encoding: options.encoding, imageBytes: imageBytes, instances: instances,
                                    negativeClasses: planned.negativeClasses, notExhaustiveClasses: planned.notExhaustiveClasses))
    }
}
