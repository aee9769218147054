// Turning shard records into batches: decode, pick the scale and flip (training) or the
// test scale (evaluation), map the annotations into input pixels, resize + normalise into
// the batch tensor, pad to the pad multiple.
import SharedSupport

public enum BatchAssembly {
    /// The input geometry of a training image: short side drawn from the list, flip with
    /// the configured probability, both from `random` (in that order).
    public static func trainingGeometry(storedWidth: Int, storedHeight: Int, settings: LoaderSettings,
                                        random: inout SeededRandom) -> InputGeometry {
        let short = settings.trainShortSides[random.nextInt(below: settings.trainShortSides.count)]
        let flip = random.nextDouble() < settings.flipProbability
        return InputGeometry(storedWidth: storedWidth, storedHeight: storedHeight, shortSide: short,
                             maxLongSide: settings.trainMaxLongSide, flipped: flip)
    }

    /// The input geometry of an evaluation image (one scale, no flip).
    public static func evaluationGeometry(storedWidth: Int, storedHeight: Int, settings: LoaderSettings) -> InputGeometry {
        InputGeometry(storedWidth: storedWidth, storedHeight: storedHeight, shortSide: settings.testShortSide,
                      maxLongSide: settings.testMaxLongSide, flipped: false)
    }

    /// The record's annotations mapped by `geometry`.
    public static func loadedImage(record: ShardRecord, datasetIndex: Int, geometry: InputGeometry) -> LoadedImage {
        let instances = record.instances.map { instance -> LoadedInstance in
            var polygons: [[Double]]?
            if case let .polygons(list) = instance.segmentation { polygons = list.map { geometry.map(polygon: $0) } }
            return LoadedInstance(classIndex: instance.classIndex, isCrowd: instance.isCrowd, box: geometry.map(instance.box),
                                  polygons: polygons, segmentation: instance.segmentation)
        }
        return LoadedImage(datasetIndex: datasetIndex, imageID: record.imageID, originalWidth: record.originalWidth,
                           originalHeight: record.originalHeight, geometry: geometry, instances: instances)
    }

    /// Pads, resizes and normalises the decoded `pixels` of each image into one batch.
    public static func assemble(_ parts: [(pixels: RGBImage, image: LoadedImage)], settings: LoaderSettings,
                                iteration: Int, epoch: Int) -> ImageBatch {
        precondition(!parts.isEmpty, "empty batch")
        let width = paddedSide(parts.map(\.image.inputWidth).max()!, multiple: settings.padMultiple)
        let height = paddedSide(parts.map(\.image.inputHeight).max()!, multiple: settings.padMultiple)
        var pixels = [Float](repeating: 0, count: parts.count * 3 * width * height)
        pixels.withUnsafeMutableBufferPointer { buffer in
            for (index, part) in parts.enumerated() {
                let geometry = part.image.geometry
                ResizeNormalize.write(part.pixels, width: geometry.inputWidth, height: geometry.inputHeight, flip: geometry.flipped,
                                      mean: settings.pixelMean, std: settings.pixelStd,
                                      into: buffer.baseAddress! + index * 3 * width * height, planeWidth: width, planeHeight: height)
            }
        }
        return ImageBatch(iteration: iteration, epoch: epoch, images: parts.map(\.image), width: width, height: height, pixels: pixels)
    }
}

/// Training batches of a shard folder: iteration -> batch, a pure function of (seed, stream).
/// Not thread-safe (the stream caches epoch orders): use from one thread, e.g. a `Prefetcher`.
public final class TrainingBatches: @unchecked Sendable {
    public let dataset: ShardDataset
    public let stream: EpochStream
    public let settings: LoaderSettings
    public let seed: UInt64

    public init(dataset: ShardDataset, stream: EpochStream, settings: LoaderSettings, seed: UInt64) {
        self.dataset = dataset
        self.stream = stream
        self.settings = settings
        self.seed = seed
    }

    public func batch(iteration: Int) throws -> ImageBatch {
        let entries = stream.batch(iteration: iteration)
        let parts = try entries.map(part)
        return BatchAssembly.assemble(parts, settings: settings, iteration: iteration, epoch: entries[0].epoch)
    }

    /// The images at `positions` of iteration `iteration`'s batch, each a batch of its own
    /// (padded to its own size): the same pixels and targets whichever other positions are
    /// loaded with them (`solver.gradientSum: "exact"`, a rank's share of the batch).
    public func images(iteration: Int, positions: Range<Int>) throws -> [ImageBatch] {
        let entries = stream.batch(iteration: iteration)
        return try positions.map { position in
            try BatchAssembly.assemble([part(entries[position])], settings: settings, iteration: iteration,
                                       epoch: entries[position].epoch)
        }
    }

    /// One entry of the stream decoded, with its augmentation (a function of its epoch and position).
    private func part(_ entry: StreamPosition) throws -> (pixels: RGBImage, image: LoadedImage) {
        let (pixels, record) = try dataset.example(at: entry.datasetIndex)
        var random = DataRandomness.augmentationGenerator(seed: seed, epoch: entry.epoch, position: entry.position)
        let geometry = BatchAssembly.trainingGeometry(storedWidth: pixels.width, storedHeight: pixels.height,
                                                      settings: settings, random: &random)
        return (pixels, BatchAssembly.loadedImage(record: record, datasetIndex: entry.datasetIndex, geometry: geometry))
    }
}

/// Evaluation batches: the records in order (or the given indices), `batchSize` at a time,
/// at the test scale without flip.
public struct EvaluationBatches: Sendable {
    public let dataset: ShardDataset
    public let indices: [Int]
    public let batchSize: Int
    public let settings: LoaderSettings

    public init(dataset: ShardDataset, indices: [Int]? = nil, batchSize: Int, settings: LoaderSettings) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.dataset = dataset
        self.indices = indices ?? Array(0..<dataset.count)
        self.batchSize = batchSize
        self.settings = settings
    }

    public var count: Int { (indices.count + batchSize - 1) / batchSize }

    public func batch(_ number: Int) throws -> ImageBatch {
        let slice = indices[(number * batchSize)..<min(indices.count, (number + 1) * batchSize)]
        let parts = try slice.map { index -> (pixels: RGBImage, image: LoadedImage) in
            let (pixels, record) = try dataset.example(at: index)
            let geometry = BatchAssembly.evaluationGeometry(storedWidth: pixels.width, storedHeight: pixels.height, settings: settings)
            return (pixels, BatchAssembly.loadedImage(record: record, datasetIndex: index, geometry: geometry))
        }
        return BatchAssembly.assemble(parts, settings: settings, iteration: number, epoch: 0)
    }
}
