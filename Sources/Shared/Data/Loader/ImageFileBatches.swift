// Evaluation batches from image files (`predict --images`): each file read within the byte
// cap, its header checked (pixel limit, the json's size when one is given) before any pixel
// is decoded, decoded at full size as the shard loader decodes a stored image (JPEG at DCT
// scale 8/8 with the accurate IDCT, PNG over white), then resized to the test scale by the
// shared `BatchAssembly` steps. A file that fails is skipped and reported, and the batch is
// filled from the next files, so the other images' batches (and so their padding and
// results) are those of a list without the bad file.
import SharedSupport

/// One image file to predict.
public struct ImageFileEntry: Sendable, Equatable {
    public var path: String
    /// The id its results carry.
    public var imageID: ImageID
    /// The width and height a json gives the image (`--image-ids`): a file of another size is
    /// skipped (`image-size-mismatch`), as `lvis-prep convert` skips it. Nil: any size.
    public var expectedWidth: Int?
    public var expectedHeight: Int?

    public init(path: String, imageID: ImageID, expectedWidth: Int? = nil, expectedHeight: Int? = nil) {
        self.path = path
        self.imageID = imageID
        self.expectedWidth = expectedWidth
        self.expectedHeight = expectedHeight
    }
}

/// An image file that could not be used, and why.
public struct SkippedImageFile: Error, Sendable, Equatable {
    public var path: String
    public var kind: ProblemKind
    public var reason: String

    public init(path: String, kind: ProblemKind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    /// "PATH: REASON (KIND)", the line the log shows.
    public var line: String { "\(path): \(reason) (\(kind.rawValue))" }
}

/// What one step of `ImageFileBatches` produced: a batch (nil when no file was left), the
/// files skipped on the way to it, and (when kept) each batch image's decoded pixels.
public struct ImageFileBatch: Sendable {
    public var batch: ImageBatch?
    public var skipped: [SkippedImageFile]
    /// The decoded images at their full size, in `batch.images` order (empty unless the
    /// batches keep pixels).
    public var pixels: [RGBImage]
}

/// Batches of image files at the test scale without flip, `batchSize` good images at a time.
/// `LoadedImage.datasetIndex` is the file's position in `entries`. Stateful: call
/// `batch(_:)` with 0, 1, 2, ... from one thread (a `Prefetcher` does).
public final class ImageFileBatches: @unchecked Sendable {
    public let entries: [ImageFileEntry]
    public let batchSize: Int
    public let settings: LoaderSettings
    public let limits: ImageLimits
    /// Hand the decoded pixels out with each batch (for drawing).
    public let keepsPixels: Bool
    private var nextEntry = 0
    private var nextBatch = 0

    public init(entries: [ImageFileEntry], batchSize: Int, settings: LoaderSettings, limits: ImageLimits = ImageLimits(),
                keepsPixels: Bool = false) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.entries = entries
        self.batchSize = batchSize
        self.settings = settings
        self.limits = limits
        self.keepsPixels = keepsPixels
    }

    /// The most batches there can be (fewer when files are skipped).
    public var maxCount: Int { (entries.count + batchSize - 1) / batchSize }

    /// The next batch: the next `batchSize` files that load (fewer at the end), and those
    /// skipped before them. `number` must be the count of earlier calls.
    public func batch(_ number: Int) -> ImageFileBatch {
        precondition(number == nextBatch, "ImageFileBatches are produced in order")
        nextBatch += 1
        var parts: [(pixels: RGBImage, image: LoadedImage)] = []
        var skipped: [SkippedImageFile] = []
        while parts.count < batchSize && nextEntry < entries.count {
            let index = nextEntry
            nextEntry += 1
            switch Self.load(entries[index], limits: limits) {
            case .success(let pixels):
                let geometry = BatchAssembly.evaluationGeometry(storedWidth: pixels.width, storedHeight: pixels.height, settings: settings)
                parts.append((pixels, LoadedImage(datasetIndex: index, imageID: entries[index].imageID, originalWidth: pixels.width,
                                                  originalHeight: pixels.height, geometry: geometry, instances: [])))
            case .failure(let problem):
                skipped.append(problem)
            }
        }
        guard !parts.isEmpty else { return ImageFileBatch(batch: nil, skipped: skipped, pixels: []) }
        let batch = BatchAssembly.assemble(parts, settings: settings, iteration: number, epoch: 0)
        return ImageFileBatch(batch: batch, skipped: skipped, pixels: keepsPixels ? parts.map(\.pixels) : [])
    }

    /// One file read, checked and decoded at full size, or why not: missing or not a regular
    /// file, over the byte cap or the pixel limit, not a JPEG or PNG, truncated or corrupt, or
    /// not the size the json says.
    public static func load(_ entry: ImageFileEntry, limits: ImageLimits) -> Result<RGBImage, SkippedImageFile> {
        let path = entry.path
        func skip(_ kind: ProblemKind, _ reason: String) -> Result<RGBImage, SkippedImageFile> {
            .failure(SkippedImageFile(path: path, kind: kind, reason: reason))
        }
        let bytes: [UInt8]
        switch readFile(path, maxBytes: limits.maxFileBytes) {
        case .bytes(let read): bytes = read
        case .tooLarge(let size):
            return skip(.imageTooLarge, "the file is \(size) bytes, more than an image of --max-pixels \(limits.maxPixels) can take")
        case .unavailable:
            let kind = PathChecks.kind(of: path)
            switch kind {
            case .missing: return skip(.missingImage, "no such file")
            case .regularFile: return skip(.missingImage, "cannot be read (permissions?)")
            default: return skip(.missingImage, "is \(kind.phrase), not a file")
            }
        }
        do {
            let header = try bytes.withUnsafeBytes { try ImageHeader.read($0) }
            if header.width * header.height > limits.maxPixels {
                return skip(.imageTooLarge, "\(header.width)x\(header.height) is more than --max-pixels \(limits.maxPixels) pixels")
            }
            if let width = entry.expectedWidth, let height = entry.expectedHeight, (header.width, header.height) != (width, height) {
                return skip(.imageSizeMismatch, "the file is \(header.width)x\(header.height), the --image-ids json says \(width)x\(height)")
            }
            let decoded = try bytes.withUnsafeBytes { try ImageDecoding.decode($0) }
            return .success(decoded.image)
        } catch let error as ImageDecodeError {
            return skip(ProblemKind(error.kind), error.message)
        } catch {
            return skip(.corruptImage, "\(error)")
        }
    }
}
