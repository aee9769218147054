// One `--slice NAME=FILE` of an evaluation: the stats of the slice's images (same protocol,
// same categories), a row of the text summary and an entry of the --json document's "slices".

public struct SliceReport: Sendable {
    public var name: String
    /// The id file that named the images.
    public var path: String
    public var imageCount: Int
    /// Detections evaluated on the slice's images (after the caps and filters).
    public var detectionCount: Int
    /// The same stats as the main evaluation, under the same names.
    public var stats: [SummaryStat]

    public init(name: String, path: String, imageCount: Int, detectionCount: Int, stats: [SummaryStat]) {
        self.name = name
        self.path = path
        self.imageCount = imageCount
        self.detectionCount = detectionCount
        self.stats = stats
    }

    /// The stat named `name`.
    public func stat(_ name: String) -> Double? { stats.first { $0.name == name }?.value }
}
