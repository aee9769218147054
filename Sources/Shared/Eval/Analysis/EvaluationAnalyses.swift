// The analyses an evaluation can add on its own matching (`detect-eval evaluate
// --calibration`, `--diagnostics N`), whether it keeps the matches for a bootstrap
// (`detect-eval compare --bootstrap`) and its inputs for the analyses on the files (--tide,
// --confusion). Computed for the main selection, not for slices.

public struct EvaluationAnalyses: Sendable, Equatable {
    /// Score calibration: bins of [0, 1] and the IoU threshold of a correct detection.
    public struct Calibration: Sendable, Equatable {
        public var binCount: Int
        public var iouThreshold: Double
        public init(binCount: Int = 10, iouThreshold: Double = 0.5) {
            self.binCount = binCount
            self.iouThreshold = iouThreshold
        }
    }

    /// Per-image diagnostics: how many worst images to list, at which IoU threshold, and the
    /// lowest score counted (nil: every detection, as hotcoco).
    public struct Diagnostics: Sendable, Equatable {
        public var limit: Int
        public var iouThreshold: Double
        public var scoreThreshold: Double?
        public init(limit: Int, iouThreshold: Double = 0.5, scoreThreshold: Double? = nil) {
            self.limit = limit
            self.iouThreshold = iouThreshold
            self.scoreThreshold = scoreThreshold
        }
    }

    public var calibration: Calibration?
    public var diagnostics: Diagnostics?
    /// Keep the `MatchRecords` in the report (the bootstrap resamples them).
    public var keepsMatches: Bool
    /// Keep the loaded ground truth and results in the report (`EvaluationInputs`), for the
    /// analyses on the files (--tide, --confusion) to run without reading them again.
    public var keepsInputs: Bool

    public init(calibration: Calibration? = nil, diagnostics: Diagnostics? = nil, keepsMatches: Bool = false,
                keepsInputs: Bool = false) {
        self.calibration = calibration
        self.diagnostics = diagnostics
        self.keepsMatches = keepsMatches
        self.keepsInputs = keepsInputs
    }

    var needsMatches: Bool { calibration != nil || diagnostics != nil || keepsMatches }
}
