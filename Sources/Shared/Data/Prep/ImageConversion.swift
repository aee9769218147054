// The per-image stage of convert: find and read the file, decode (JPEG at the cheapest DCT
// scale that covers the target), check the size against the json, resize by area, re-encode
// (or keep the original JPEG bytes when nothing changes), and rescale boxes and polygons.
#if canImport(Glibc)
import Glibc
#endif
import SharedSupport

public struct ConvertOptions: Equatable, Sendable {
    public var maxShortSide: Int?
    public var maxLongSide: Int?
    public var encoding: StoredImageEncoding
    public var jpegQuality: Int

    public init(maxShortSide: Int? = nil, maxLongSide: Int? = nil, encoding: StoredImageEncoding = .jpeg, jpegQuality: Int = 90) {
        self.maxShortSide = maxShortSide
        self.maxLongSide = maxLongSide
        self.encoding = encoding
        self.jpegQuality = jpegQuality
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
        var found: (path: String, relative: String, bytes: [UInt8])?
        for candidate in planned.fileCandidates {
            let path = imageRoot.isEmpty ? candidate : imageRoot + "/" + candidate
            if let bytes = readWholeFile(path) { found = (path, candidate, bytes); break }
        }
        guard let (path, relative, bytes) = found else {
            return .failure(ImageProblem(kind: .missingImage,
                                         message: "image id \(info.id): not under \(imageRoot) as " + planned.fileCandidates.prefix(3).joined(separator: ", ")))
        }
        let plan = ResizePlan(width: info.width, height: info.height, maxShort: options.maxShortSide, maxLong: options.maxLongSide)
        let imageBytes: [UInt8]
        do {
            let isJPEG = bytes.withUnsafeBytes { ImageFileFormat.detect($0) } == .jpeg
            if plan.isIdentity && options.encoding == .jpeg && isJPEG {
                // The right size already: validate (entropy-decode every scan) and keep the
                // original bytes, with no re-encoding loss.
                let full = try bytes.withUnsafeBytes { try JPEGCodec.validate($0) }
                guard full.width == info.width, full.height == info.height else {
                    return .failure(ImageProblem(kind: .imageSizeMismatch,
                                                 message: "\(path): file is \(full.width)x\(full.height), json says \(info.width)x\(info.height)"))
                }
                imageBytes = bytes
            } else {
                let decoded = try bytes.withUnsafeBytes { raw in
                    try ImageDecoding.decode(raw, atLeast: (plan.storedWidth, plan.storedHeight))
                }
                guard decoded.fullWidth == info.width, decoded.fullHeight == info.height else {
                    return .failure(ImageProblem(kind: .imageSizeMismatch,
                                                 message: "\(path): file is \(decoded.fullWidth)x\(decoded.fullHeight), json says \(info.width)x\(info.height)"))
                }
                let stored = AreaResize.resize(decoded.image, width: plan.storedWidth, height: plan.storedHeight)
                imageBytes = options.encoding == .jpeg ? JPEGCodec.encode(stored, quality: options.jpegQuality) : stored.pixels
            }
        } catch let error as ImageDecodeError {
            return .failure(ImageProblem(kind: ProblemKind(error.kind), message: "\(path): \(error.message)"))
        } catch {
            return .failure(ImageProblem(kind: .corruptImage, message: "\(path): \(error)"))
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

/// The whole file, or nil when it does not exist or cannot be read.
public func readWholeFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    let size = Int(info.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    let ok = bytes.withUnsafeMutableBytes { buffer -> Bool in
        while done < size {
            let count = read(descriptor, buffer.baseAddress! + done, size - done)
            if count < 0 { if errno == EINTR { continue }; return false }
            if count == 0 { break }
            done += count
        }
        return true
    }
    guard ok else { return nil }
    if done < size { bytes.removeLast(size - done) }
    return bytes
}
