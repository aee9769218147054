// The data loader's settings from a detector config's `input` section.
import SharedData

extension LoaderSettings {
    public init(config: InputConfig) {
        self.init(trainShortSides: config.trainShortSides, trainMaxLongSide: config.trainMaxLongSide,
                  testShortSide: config.testShortSide, testMaxLongSide: config.testMaxLongSide,
                  flipProbability: config.flipProbability, padMultiple: config.padMultiple,
                  pixelMean: config.pixelMean.map(Float.init), pixelStd: config.pixelStd.map(Float.init))
    }
}
