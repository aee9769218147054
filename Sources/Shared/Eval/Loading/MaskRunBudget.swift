// How many mask runs the polygons of one input file may make in all. A mask costs one run
// per image column each polygon edge crosses, so a small file of zig-zags (or of triangles
// on a wide image) could otherwise ask for minutes and gigabytes; real COCO and LVIS files
// make 0.2 to 0.45 runs per byte. Bounds are summed from the vertices (`RLE.runBound`)
// before anything is rasterised, and the first record past the budget is named.
import SharedData
import SharedMasks
import SharedSupport

/// The runs the polygon masks of one file (ground truth or results) may make together.
public struct MaskRunBudget: Equatable, Sendable {
    /// Runs allowed per byte of the file: 8, about 20 times what real files make.
    public static let runsPerByte = 8
    /// The budget of a small file: 2^23 runs (32 MiB as 32-bit runs; about 15 s in a debug
    /// build, under 1 s in a release build).
    public static let minimumRuns = 1 << 23

    /// Runs allowed in all.
    public let limit: Int
    /// The file's size when the limit was derived from it; nil when it was given (`--max-mask-runs`).
    public let documentBytes: Int?
    /// Run bounds spent so far.
    public private(set) var spent = 0

    /// The default budget of a file of `documentBytes` bytes: max(2^23, 8 x bytes).
    public init(documentBytes: Int) {
        let (scaled, overflow) = documentBytes.multipliedReportingOverflow(by: Self.runsPerByte)
        limit = overflow ? Int.max : max(Self.minimumRuns, scaled)
        self.documentBytes = documentBytes
    }

    /// A budget of `limit` runs (`--max-mask-runs`).
    public init(limit: Int) {
        self.limit = limit
        documentBytes = nil
    }

    /// Spends `runs` (one mask's bound); throws, naming `record` of `path`, when the mask
    /// alone is over `RLE.maximumRuns` or the file's masks together pass the budget.
    public mutating func spend(_ runs: Int, path: String, record: String) throws {
        guard runs <= RLE.maximumRuns else {
            let error = RLE.tooManyRunsError(bound: runs)
            throw ToolError(error.message, file: path, record: record, hint: error.hint)
        }
        spent += runs  // each <= 2^20, so no overflow before a check fails
        guard spent <= limit else {
            let rule = documentBytes.map { "\(Self.runsPerByte) per byte of its \($0) bytes, at least \(Self.minimumRuns)" }
                ?? "--max-mask-runs"
            throw ToolError("the masks made from this file's polygons (and, for mask AP, its boxes) would hold \(spent) runs "
                            + "by this record, over the file's "
                            + "budget of \(limit) runs (\(rule); real COCO and LVIS files make under 1 run per byte, and each "
                            + "polygon edge makes one run per image column it crosses)",
                            file: path, record: record,
                            hint: "check the polygons (they cross the image far more often than object outlines do); "
                            + "if masks this detailed are real, raise the budget with --max-mask-runs")
        }
    }
}
