// Bad input, counted by kind with the first few examples of each, so a run reports what it
// skipped instead of dropping records silently (docs/design.md §Command-line conventions).

/// The kinds of bad input convert recognises.
public enum ProblemKind: String, CaseIterable, Codable, Sendable {
    case missingImage = "missing-image"
    case corruptImage = "corrupt-image"
    case truncatedImage = "truncated-image"
    case cmykImage = "cmyk-image"
    /// A JPEG libjpeg cannot turn into RGB (2 components, not 8-bit).
    case unsupportedJPEG = "unsupported-jpeg"
    case unknownImageFormat = "unknown-image-format"
    case imageSizeMismatch = "image-size-mismatch"
    /// Width or height zero or negative in the json.
    case badImageSize = "bad-image-size"
    /// Width x height over --max-pixels in the json, or a file larger than such an image can be.
    case imageTooLarge = "image-too-large"
    /// An image name with a NUL, or (without --allow-outside-images) absolute or with "..".
    case unsafeFileName = "unsafe-file-name"
    case unknownImage = "unknown-image"
    case unknownCategory = "unknown-category"
    case boxOutsideImage = "box-outside-image"
    case zeroAreaBox = "zero-area-box"
    case degeneratePolygon = "degenerate-polygon"
    case rleSizeMismatch = "rle-size-mismatch"

    init(_ kind: ImageDecodeError.Kind) {
        switch kind {
        case .corrupt: self = .corruptImage
        case .truncated: self = .truncatedImage
        case .cmyk: self = .cmykImage
        case .unsupported: self = .unsupportedJPEG
        case .unknownFormat: self = .unknownImageFormat
        }
    }
}

public struct ProblemLog: Codable, Equatable, Sendable {
    public static let examplesPerKind = 3
    public private(set) var counts: [String: Int] = [:]
    public private(set) var examples: [String: [String]] = [:]

    public init() {}

    public var total: Int { counts.values.reduce(0, +) }
    public var isEmpty: Bool { counts.isEmpty }

    public mutating func record(_ kind: ProblemKind, _ example: @autoclosure () -> String) {
        counts[kind.rawValue, default: 0] += 1
        if examples[kind.rawValue, default: []].count < Self.examplesPerKind {
            examples[kind.rawValue, default: []].append(example())
        }
    }

    public mutating func merge(_ other: ProblemLog) {
        for (kind, count) in other.counts { counts[kind, default: 0] += count }
        for (kind, list) in other.examples {
            var mine = examples[kind, default: []]
            for example in list where mine.count < Self.examplesPerKind { mine.append(example) }
            examples[kind] = mine
        }
    }

    public func count(_ kind: ProblemKind) -> Int { counts[kind.rawValue] ?? 0 }

    /// Report lines, one per kind in a fixed order: "missing-image: 100 (e.g. ...; ...)".
    public var lines: [String] {
        ProblemKind.allCases.compactMap { kind in
            guard let count = counts[kind.rawValue] else { return nil }
            let list = examples[kind.rawValue] ?? []
            return "\(kind.rawValue): \(count)" + (list.isEmpty ? "" : " (e.g. " + list.joined(separator: "; ") + ")")
        }
    }
}
