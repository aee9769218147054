// Finding, reading and checking the image file a json names, with convert's rules, for every
// tool that opens such files (`lvis-prep convert --images`, `detect-eval report --images`):
// the json's size and the names first (no file is opened for a refused image), then the first
// candidate that is a regular file (FIFOs and devices are not waited on), read only if it is
// within the byte cap of `--max-pixels`, and its header's size compared with the json's
// before any pixel is decoded.
import SharedSupport

/// An image file found and read, its header matching the json's size.
public struct OpenedImageFile: Sendable {
    /// Where it was read.
    public let path: String
    /// The candidate name it was found under (relative to the image root, unless absolute).
    public let relative: String
    public let bytes: [UInt8]
    public let header: ImageHeader
}

public enum ImageFileOpening {
    /// Why `image` must not be opened, from the json alone (`bad-image-size`,
    /// `image-too-large`, `unsafe-file-name`), or nil; the message names the image id.
    public static func refusal(of image: ImageInfo, candidates: [String], limits: ImageLimits) -> ImageProblem? {
        PrepPlan.refusal(of: image, candidates: candidates, limits: limits).map {
            ImageProblem(kind: $0.kind, message: "image id \(image.id): \($0.reason)")
        }
    }

    /// Where a file candidate is on disk: under the image root, or as it is when absolute
    /// (names pass the plan's check first: absolute ones only with --allow-outside-images).
    public static func path(of candidate: String, imageRoot: String) -> String {
        imageRoot.isEmpty || candidate.hasPrefix("/") ? candidate : imageRoot + "/" + candidate
    }

    /// The first of `candidates` under `imageRoot` that is a regular file, read within
    /// `limits.maxFileBytes`, whose header gives the json's width and height. The names must
    /// have passed `refusal` (convert's plan does it for every image). Fails with
    /// `missing-image`, `image-too-large`, the header's decode problem or `image-size-mismatch`.
    public static func open(_ image: ImageInfo, candidates: [String], imageRoot: String,
                            limits: ImageLimits) -> Result<OpenedImageFile, ImageProblem> {
        let name = "image id \(image.id)"
        var found: (path: String, relative: String, bytes: [UInt8])?
        for candidate in candidates {
            let path = Self.path(of: candidate, imageRoot: imageRoot)
            switch readFile(path, maxBytes: limits.maxFileBytes) {
            case .bytes(let bytes): found = (path, candidate, bytes)
            case .unavailable: continue
            case .tooLarge(let size):
                return .failure(ImageProblem(kind: .imageTooLarge, message: "\(name): \(path): the file is \(size) bytes, more than an image of "
                                             + "--max-pixels \(limits.maxPixels) can take (\(limits.maxFileBytes)); "
                                             + "check the file, or raise --max-pixels if it is a real image"))
            }
            break
        }
        guard let (path, relative, bytes) = found else {
            return .failure(ImageProblem(kind: .missingImage,
                                         message: "\(name): not under \(imageRoot) as " + candidates.prefix(3).joined(separator: ", ")))
        }
        // The header first: a file whose size differs from the json's (which is within
        // --max-pixels) is refused before any pixel buffer exists.
        let header: ImageHeader
        do {
            header = try bytes.withUnsafeBytes { try ImageHeader.read($0) }
        } catch let error as ImageDecodeError {
            return .failure(ImageProblem(kind: ProblemKind(error.kind), message: "\(name): \(path): \(error.message)"))
        } catch {
            return .failure(ImageProblem(kind: .corruptImage, message: "\(name): \(path): \(error)"))
        }
        guard header.width == image.width, header.height == image.height else {
            return .failure(ImageProblem(kind: .imageSizeMismatch,
                                         message: "\(name): \(path): file is \(header.width)x\(header.height), json says \(image.width)x\(image.height); "
                                         + "fix the json's width and height, or the file"))
        }
        return .success(OpenedImageFile(path: path, relative: relative, bytes: bytes, header: header))
    }
}

extension ImageFileOpening {
    /// Decodes an opened file at no less than `atLeast` pixels a side where the codec can
    /// shrink it (JPEG DCT scaling); a decode failure is the problem convert would count.
    public static func decode(_ file: OpenedImageFile, image: ImageInfo, atLeast: (width: Int, height: Int)) -> Result<RGBImage, ImageProblem> {
        do {
            return .success(try file.bytes.withUnsafeBytes { try ImageDecoding.decode($0, atLeast: atLeast).image })
        } catch let error as ImageDecodeError {
            return .failure(ImageProblem(kind: ProblemKind(error.kind), message: "image id \(image.id): \(file.path): \(error.message)"))
        } catch {
            return .failure(ImageProblem(kind: .corruptImage, message: "image id \(image.id): \(file.path): \(error)"))
        }
    }
}
