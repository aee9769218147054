// The same seed gives the same batches whatever the order they are computed in or whether
// they come through the background prefetcher; epochs are permutations; the stream cuts
// batches across epoch boundaries; a decoding error reaches the consumer.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class LoaderDeterminismTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws { directory = try LoaderFixture.temporaryDirectory("determinism") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func batches(_ dataset: ShardDataset, seed: UInt64, batchSize: Int = 2) -> TrainingBatches {
        let count = dataset.count
        let stream = EpochStream(batchSize: batchSize) { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) }
        return TrainingBatches(dataset: dataset, stream: stream, settings: LoaderFixture.settings(), seed: seed)
    }

    func testSameSeedSameBatchesInAnyOrderAndThroughThePrefetcher() throws {
        let dataset = try ShardDataset(directory: try LoaderFixture.write(in: directory))
        let first = batches(dataset, seed: 7), second = batches(dataset, seed: 7), other = batches(dataset, seed: 8)
        let iterations = 0..<8
        let direct = try iterations.map { try first.batch(iteration: $0) }
        // Backwards, so epoch orders are computed in another order.
        let backwards = try iterations.reversed().map { try second.batch(iteration: $0) }.reversed()
        let prefetcher = Prefetcher(range: iterations, capacity: 2) { [third = batches(dataset, seed: 7)] in try third.batch(iteration: $0) }
        var prefetched: [ImageBatch] = []
        while let batch = try prefetcher.next() { prefetched.append(batch) }
        XCTAssertEqual(prefetched.count, iterations.count)
        for (a, (b, c)) in zip(direct, zip(backwards, prefetched)) {
            XCTAssertEqual(a.images, b.images)
            XCTAssertEqual(a.pixels, b.pixels)
            XCTAssertEqual(a.images, c.images)
            XCTAssertEqual(a.pixels, c.pixels)
            XCTAssertEqual(a.epoch, c.epoch)
        }
        let different = try iterations.map { try other.batch(iteration: $0) }
        XCTAssertNotEqual(direct.map { $0.images.map(\.datasetIndex) }, different.map { $0.images.map(\.datasetIndex) })
        // Both scales and both flip states occur over 8 batches of 2.
        let geometries = direct.flatMap { $0.images.map(\.geometry) }
        XCTAssertEqual(Set(geometries.map(\.flipped)), [false, true])
        XCTAssertEqual(Set(geometries.map { min($0.inputWidth, $0.inputHeight) }).count, 2)
    }

    func testEpochsArePermutationsAndBatchesSpanEpochBoundaries() {
        let stream = EpochStream(batchSize: 2) { DataRandomness.uniformOrder(count: 5, seed: 3, epoch: $0) }
        let epochs = (0..<4).map { stream.epochOrder($0) }
        for order in epochs { XCTAssertEqual(order.sorted(), [0, 1, 2, 3, 4]) }
        XCTAssertGreaterThan(Set(epochs).count, 1, "epochs are shuffled differently")
        // Iteration 2 holds positions 4 (last of epoch 0) and 5 (first of epoch 1).
        let batch = stream.batch(iteration: 2)
        XCTAssertEqual(batch.map(\.epoch), [0, 1])
        XCTAssertEqual(batch.map(\.position), [4, 0])
        XCTAssertEqual(batch.map(\.datasetIndex), [epochs[0][4], epochs[1][0]])
        // A fresh stream asked for a late iteration first agrees.
        let fresh = EpochStream(batchSize: 2) { DataRandomness.uniformOrder(count: 5, seed: 3, epoch: $0) }
        XCTAssertEqual(fresh.batch(iteration: 7), stream.batch(iteration: 7))
        XCTAssertEqual(fresh.batch(iteration: 7).map(\.epoch), [2, 3])
    }

    func testAProducerErrorReachesTheConsumerInOrder() throws {
        struct Failure: Error {}
        let prefetcher = Prefetcher(range: 0..<5, capacity: 1) { k -> Int in
            if k == 2 { throw Failure() }
            return k * 10
        }
        XCTAssertEqual(try prefetcher.next(), 0)
        XCTAssertEqual(try prefetcher.next(), 10)
        XCTAssertThrowsError(try prefetcher.next()) { XCTAssertTrue($0 is Failure) }
        XCTAssertNil(try prefetcher.next(), "nothing after the error (and no hang)")
        prefetcher.stop()
        let stopped = Prefetcher(range: 0..<100, capacity: 1) { $0 }
        XCTAssertEqual(try stopped.next(), 0)
        stopped.stop()
        XCTAssertNil(try stopped.next())
    }
}
