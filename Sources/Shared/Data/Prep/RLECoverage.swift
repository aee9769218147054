// Whether an RLE mask's runs cover its image exactly (height x width pixels), so convert
// stores only masks that fit and predict can use (SharedMasks refuses the others there).
// Compressed strings are read as pycocotools' rleFrString reads them, but stricter where its
// result is undefined: only the characters it writes ('0'...'o'), at most 6 per run (enough
// for any run of a 2^28-pixel image), no string ending inside a run, no negative run. For
// every string accepted here SharedMasks' decoder yields the same runs.

enum RLECoverage {
    /// The most characters one run may take: 6 x 5 bits hold any run of up to 2^29 pixels.
    static let maxCharactersPerRun = 6

    /// nil when the runs of an RLE `segmentation` add up to exactly height x width; else why
    /// not (and what to do). Polygons (no runs) are nil.
    static func defect(of segmentation: Segmentation) -> String? {
        switch segmentation {
        case .polygons:
            return nil
        case let .uncompressedRLE(height, width, counts):
            let total = counts.reduce(UInt64(0)) { $0 + UInt64($1) }
            return coverageDefect(total: total, height: height, width: width)
        case let .compressedRLE(height, width, bytes):
            switch compressedRuns(bytes, limit: imagePixels(height: height, width: width) ?? 0) {
            case .success(let runs):
                return coverageDefect(total: runs.reduce(UInt64(0)) { $0 + UInt64($1) }, height: height, width: width)
            case .failure(let malformed):
                return "RLE counts string is malformed: \(malformed.reason); " + remedy(height: height, width: width)
            }
        }
    }

    static func imagePixels(height: Int, width: Int) -> UInt64? {
        guard height >= 0, width >= 0 else { return nil }
        let (pixels, overflow) = UInt64(height).multipliedReportingOverflow(by: UInt64(width))
        return overflow ? nil : pixels
    }

    private static func coverageDefect(total: UInt64, height: Int, width: Int) -> String? {
        guard let pixels = imagePixels(height: height, width: width) else { return "RLE size \(height)x\(width) is not a size" }
        guard total != pixels else { return nil }
        return "RLE runs add up to \(total) pixels, not \(height)x\(width) = \(pixels); " + remedy(height: height, width: width)
    }

    private static func remedy(height: Int, width: Int) -> String {
        "re-encode the mask with pycocotools.mask.encode on its full \(height)x\(width) image"
    }

    /// A malformed compressed string.
    struct Malformed: Error { var reason: String }

    /// The runs of a compressed `counts` string, each at most `limit` (the image's pixels),
    /// or why the string is malformed.
    static func compressedRuns(_ bytes: [UInt8], limit: UInt64) -> Result<[UInt32], Malformed> {
        var runs: [UInt32] = []
        var position = 0
        while position < bytes.count {
            let index = runs.count
            var value = 0
            var characters = 0
            while true {
                guard position < bytes.count else {
                    return .failure(Malformed(reason: "it ends inside run \(index)"))
                }
                let byte = bytes[position]
                guard (48...111).contains(byte) else {
                    return .failure(Malformed(reason: "character \(byte) at offset \(position) is not one of '0'...'o'"))
                }
                guard characters < maxCharactersPerRun else {
                    return .failure(Malformed(reason: "run \(index) takes more than \(maxCharactersPerRun) characters"))
                }
                let group = Int(byte - 48)
                value |= (group & 0x1F) << (5 * characters)
                characters += 1
                position += 1
                if group & 0x20 == 0 {
                    if group & 0x10 != 0 { value |= -1 << (5 * characters) }
                    break
                }
            }
            // Runs after the third are stored as the difference to the run two before.
            if index > 2 { value += Int(runs[index - 2]) }
            guard value >= 0, UInt64(value) <= limit else {
                return .failure(Malformed(reason: "run \(index) is \(value) pixels, outside 0...\(limit)"))
            }
            runs.append(UInt32(value))
        }
        return .success(runs)
    }
}
