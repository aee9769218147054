// Constants of the shard file format (docs/shard-format.md): magic numbers, version,
// header and trailer sizes, size limits of a record, file naming, and the hints printed for
// damaged or old files.

public enum ShardFormat {
    /// "LOCESHRD": the first 8 bytes of every shard.
    public static let headerMagic: [UInt8] = Array("LOCESHRD".utf8)
    /// "LOCEINDX": the last 8 bytes of every complete shard.
    public static let trailerMagic: [UInt8] = Array("LOCEINDX".utf8)
    /// 2: the trailer checks itself (version 1 had a reserved word there). Records are unchanged.
    public static let version: UInt32 = 2
    /// magic (8) + version (4) + reserved (4).
    public static let headerSize = 16
    /// index offset (8) + record count (4) + index CRC (4) + header CRC (4) + trailer CRC (4) + magic (8).
    public static let trailerSize = 32
    /// The trailer bytes its own CRC covers: everything before the CRC.
    public static let trailerCheckedSize = 20
    /// payload length (4) + payload CRC (4) before each payload.
    public static let recordPrefixSize = 8

    /// Largest original width or height a record may state (no image format comes near it;
    /// it keeps width x height far inside 64-bit arithmetic).
    public static let maxImageSide = 1 << 24
    /// Largest stored width x height: the JPEG decoder's own limit (SharedData `JPEGCodec`).
    public static let maxStoredPixels = 1 << 28
    /// Boxes may reach this far (pixels) outside the stored image: convert's clipping tolerance.
    public static let boxTolerance: Float = 1
    /// Largest magnitude of a polygon coordinate (stored pixels): far outside any image, still
    /// exact in float32 and safe for the rasteriser's integer arithmetic.
    public static let maxPolygonCoordinate: Float = 16_777_216

    /// "shard-00012.bin".
    public static func fileName(index: Int) -> String {
        let digits = String(index)
        return "shard-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".bin"
    }

    /// "shard-00012.json": the per-shard summary written after the shard is complete.
    public static func summaryName(index: Int) -> String {
        String(fileName(index: index).dropLast(4)) + ".json"
    }

    public static let regenerateHint =
        "the shard is damaged or incomplete: re-run the same `lvis-prep convert` command (it redoes every shard that does not verify and keeps the rest)"

    /// For shards or manifests of another format version.
    public static let reconvertHint =
        "re-convert: re-run the same `lvis-prep convert` command with this lvis-prep (it redoes every shard of another version, in place)"
}
