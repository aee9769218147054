// Constants of the shard file format (docs/shard-format.md): magic numbers, version,
// header and trailer sizes, file naming, and the hint printed for damaged files.

public enum ShardFormat {
    /// "LOCESHRD": the first 8 bytes of every shard.
    public static let headerMagic: [UInt8] = Array("LOCESHRD".utf8)
    /// "LOCEINDX": the last 8 bytes of every complete shard.
    public static let trailerMagic: [UInt8] = Array("LOCEINDX".utf8)
    public static let version: UInt32 = 1
    /// magic (8) + version (4) + reserved (4).
    public static let headerSize = 16
    /// index offset (8) + record count (4) + index CRC (4) + header CRC (4) + reserved (4) + magic (8).
    public static let trailerSize = 32
    /// payload length (4) + payload CRC (4) before each payload.
    public static let recordPrefixSize = 8

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
        "the shard is damaged or incomplete: delete it and re-run the same `lvis-prep convert` command (it redoes only shards that do not verify)"
}
