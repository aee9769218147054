// The value types of `lvis-prep convert` options: `--max-size S,L` and `--encoding`, each
// parsed from its command-line spelling and described in `--help`.
import ArgumentParser
import SharedData
import SharedSupport

/// "S,L" (short and long side limits) or "S".
struct MaxSize: ExpressibleByArgument {
    /// Each side limit (pixels); the shard format stores sizes as u32.
    static let sideRange = OptionRange(1...100_000)

    var short: Int
    var long: Int?
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Int(String($0.filter { $0 != " " })) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        short = parts[0]!
        long = parts.count == 2 ? parts[1]! : nil
    }
    var defaultValueDescription: String { "\(short)" + (long.map { ",\($0)" } ?? "") }
}

/// `--encoding`: the command-line names of `StoredImageEncoding` (whose raw values are the
/// shard format's byte codes, not names a user types).
enum EncodingArgument: String, CaseIterable, ExpressibleByArgument {
    case jpeg
    case raw

    var stored: StoredImageEncoding {
        switch self {
        case .jpeg: return .jpeg
        case .raw: return .rawRGB
        }
    }

    static var allValueDescriptions: [String: String] {
        ["jpeg": "JPEG; the original bytes when not resized, else re-encoded at --jpeg-quality",
         "raw": "packed 8-bit RGB, lossless (3 bytes per pixel)"]
    }
}
