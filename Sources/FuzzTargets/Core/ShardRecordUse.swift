// What the training and evaluation loaders do with a shard record once it is read: decode
// its pixels, map its annotations to a network input (test scale) and assemble a batch.
// The settings are small so that a valid record costs little.
import SharedData

enum ShardRecordUse {
    static let settings = LoaderSettings(trainShortSides: [32], trainMaxLongSide: 48, testShortSide: 32, testMaxLongSide: 48,
                                         flipProbability: 0.5, padMultiple: 32, pixelMean: [123.7, 116.3, 103.5],
                                         pixelStd: [58.4, 57.1, 57.4])

    /// Decodes and batches `record` as `EvaluationBatches.batch` does. Throws what the
    /// loaders throw (`ImageDecodeError` from the pixels; `ShardDataset` names the file).
    static func load(_ record: ShardRecord) throws {
        let pixels = try record.decodeImage()
        let geometry = BatchAssembly.evaluationGeometry(storedWidth: pixels.width, storedHeight: pixels.height, settings: settings)
        let image = BatchAssembly.loadedImage(record: record, datasetIndex: 0, geometry: geometry)
        _ = BatchAssembly.assemble([(pixels, image)], settings: settings, iteration: 0, epoch: 0)
        for instance in record.instances { _ = record.originalBox(instance.box) }
    }
}
