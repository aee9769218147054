// How large a stored image of a shard folder can be, from the convert settings that made it
// (`--max-pixels`, `--max-size`): a reader refuses a record past them, naming it, before any
// pixel is decoded, so a crafted record cannot make fit or predict decode 2^28 pixels.
import SharedSupport

/// The bound convert put on every record of a folder.
public struct StoredImageLimit: Equatable, Sendable {
    /// Original (json) width x height at most this (convert's image-too-large); the stored
    /// image is never larger than the original.
    public var maxPixels: Int
    /// `--max-size S,L`: stored short side <= S, long side <= L (nil: no such limit).
    public var maxShortSide: Int?
    public var maxLongSide: Int?

    public init(maxPixels: Int, maxShortSide: Int? = nil, maxLongSide: Int? = nil) {
        self.maxPixels = maxPixels
        self.maxShortSide = maxShortSide
        self.maxLongSide = maxLongSide
    }

    /// Why a record of these sizes could not have been written under this limit, or nil.
    /// Sides are at most 2^24 (checked first), so the products fit.
    func problem(originalWidth: Int, originalHeight: Int, storedWidth: Int, storedHeight: Int) -> String? {
        let pixels = originalWidth * originalHeight
        if pixels > maxPixels {
            return "original size \(originalWidth)x\(originalHeight) = \(pixels) pixels is over the folder's maxPixels \(maxPixels) "
                + "(lvis-prep convert --max-pixels), so convert cannot have stored it"
        }
        let short = min(storedWidth, storedHeight), long = max(storedWidth, storedHeight)
        if let maxShortSide, short > maxShortSide {
            return "stored size \(storedWidth)x\(storedHeight) has a short side over the folder's --max-size \(maxShortSide)"
        }
        if let maxLongSide, long > maxLongSide {
            return "stored size \(storedWidth)x\(storedHeight) has a long side over the folder's --max-size long side \(maxLongSide)"
        }
        return nil
    }
}

extension ConvertSettings {
    /// The limit of every record these settings wrote; nil when they do not record
    /// `maxPixels` (written by an older lvis-prep).
    public var storedImageLimit: StoredImageLimit? {
        maxPixels.map { StoredImageLimit(maxPixels: $0, maxShortSide: maxShortSide, maxLongSide: maxLongSide) }
    }

    /// Throws unless these settings bound the stored images: `maxPixels` in 1...2^28 (the
    /// decoders' limit), `--max-size` sides positive. `file` is the json they were read from.
    public func checkImageLimits(file: String) throws -> StoredImageLimit {
        guard let limit = storedImageLimit, allowOutsideImages != nil else {
            throw ToolError("settings without maxPixels and allowOutsideImages: made by an older lvis-prep, whose readers did "
                            + "not bound the stored images", file: file, record: "settings", hint: ShardFormat.reconvertHint)
        }
        guard (1...ShardFormat.maxStoredPixels).contains(limit.maxPixels) else {
            throw ToolError("settings.maxPixels \(limit.maxPixels) is outside 1...\(ShardFormat.maxStoredPixels)", file: file,
                            record: "settings", hint: ShardManifest.regenerateHint)
        }
        for side in [limit.maxShortSide, limit.maxLongSide] {
            if let side, side < 1 {
                throw ToolError("settings: a --max-size side of \(side) is not positive", file: file, record: "settings",
                                hint: ShardManifest.regenerateHint)
            }
        }
        return limit
    }

    /// Whether a run with these settings may continue a folder whose prep-plan.json holds
    /// `earlier`: the same settings, or the same apart from `maxPixels` and
    /// `allowOutsideImages` that an older lvis-prep did not record (its units are re-checked
    /// against this run's limits before they are kept).
    public func continues(_ earlier: ConvertSettings) -> Bool {
        if earlier == self { return true }
        guard earlier.maxPixels == nil, earlier.allowOutsideImages == nil else { return false }
        var recorded = earlier
        recorded.maxPixels = maxPixels
        recorded.allowOutsideImages = allowOutsideImages
        return recorded == self
    }
}
