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
    /// Where a file candidate is on disk: under the image root, or as it is when absolute
    /// (the plan lets absolute names through only with --allow-outside-images).
    static func path(of candidate: String, imageRoot: String) -> String {
        imageRoot.isEmpty || candidate.hasPrefix("/") ? candidate : imageRoot + "/" + candidate
    }

    /// Converts one planned image into a shard record.
    public static func convert(_ planned: PlannedImage, imageRoot: String, options: ConvertOptions) -> Result<ShardRecord, ImageProblem> {
        let info = planned.info
        let name = "image id \(info.id)"
        var found: (path: String, relative: String, bytes: [UInt8])?
        for candidate in planned.fileCandidates {
            let path = Self.path(of: candidate, imageRoot: imageRoot)
            switch readFile(path, maxBytes: options.limits.maxFileBytes) {
            case .bytes(let bytes): found = (path, candidate, bytes)
            case .unavailable: continue
            case .tooLarge(let size):
                return .failure(ImageProblem(kind: .imageTooLarge, message: "\(name): \(path): the file is \(size) bytes, more than an image of "
                                             + "--max-pixels \(options.limits.maxPixels) can take (\(options.limits.maxFileBytes)); "
                                             + "check the file, or raise --max-pixels if it is a real image"))
            }
            break
        }
        guard let (path, relative, bytes) = found else {
            return .failure(ImageProblem(kind: .missingImage,
                                         message: "\(name): not under \(imageRoot) as " + planned.fileCandidates.prefix(3).joined(separator: ", ")))
        }
        let plan = ResizePlan(width: info.width, height: info.height, maxShort: options.maxShortSide, maxLong: options.maxLongSide)
        let imageBytes: [UInt8]
        do {
            // The header first: a file whose size differs from the json's (which is within
            // --max-pixels) is refused before any pixel buffer exists.
            let header = try bytes.withUnsafeBytes { try ImageHeader.read($0) }
            guard header.width == info.width, header.height == info.height else {
                return .failure(ImageProblem(kind: .imageSizeMismatch,
                                             message: "\(name): \(path): file is \(header.width)x\(header.height), json says \(info.width)x\(info.height); "
                                             + "fix the json's width and height, or the file"))
            }
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
