// What the data loader needs to know about the network input, as plain values (the Data
// layer cannot see the detector's config; Detection/Training maps `InputConfig` onto this).

/// Resize, flip, normalisation and padding of network inputs.
public struct LoaderSettings: Sendable, Equatable {
    /// Training: the short side of each image is drawn uniformly from these.
    public var trainShortSides: [Int]
    /// Training: the long side is at most this (the scale shrinks to fit), ratio kept.
    public var trainMaxLongSide: Int
    public var testShortSide: Int
    public var testMaxLongSide: Int
    /// Probability of a horizontal flip per training image.
    public var flipProbability: Double
    /// Batches are padded (bottom and right, with 0 after normalisation) to a multiple of this.
    public var padMultiple: Int
    /// Per-channel RGB normalisation of 0-255 values: (x - mean) / std.
    public var pixelMean: [Float]
    public var pixelStd: [Float]

    public init(trainShortSides: [Int], trainMaxLongSide: Int, testShortSide: Int, testMaxLongSide: Int,
                flipProbability: Double, padMultiple: Int, pixelMean: [Float], pixelStd: [Float]) {
        precondition(!trainShortSides.isEmpty && trainShortSides.allSatisfy { $0 > 0 }, "need positive training short sides")
        precondition(trainMaxLongSide > 0 && testShortSide > 0 && testMaxLongSide > 0, "sizes must be positive")
        precondition(padMultiple >= 1, "pad multiple must be at least 1")
        precondition(pixelMean.count == 3 && pixelStd.count == 3 && pixelStd.allSatisfy { $0 > 0 }, "RGB mean and positive std")
        self.trainShortSides = trainShortSides
        self.trainMaxLongSide = trainMaxLongSide
        self.testShortSide = testShortSide
        self.testMaxLongSide = testMaxLongSide
        self.flipProbability = flipProbability
        self.padMultiple = padMultiple
        self.pixelMean = pixelMean
        self.pixelStd = pixelStd
    }
}
