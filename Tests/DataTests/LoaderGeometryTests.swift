// The loader's geometry: keep-ratio sizes, flips that move boxes, polygons and pixels
// together, padding to 32, and the stored/original/input scale bookkeeping.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class LoaderGeometryTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws { directory = try LoaderFixture.temporaryDirectory("geometry") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testKeepRatioResizeFollowsMMCVRescaleSize() {
        // 80 x 60 to short 96, long <= 160: factor min(160/80, 96/60) = 1.6 -> 128 x 96.
        let a = InputGeometry(storedWidth: 80, storedHeight: 60, shortSide: 96, maxLongSide: 160, flipped: false)
        XCTAssertEqual([a.inputWidth, a.inputHeight], [128, 96])
        // 100 x 50 to short 96: the long side limits, factor 1.6 -> 160 x 80.
        let b = InputGeometry(storedWidth: 100, storedHeight: 50, shortSide: 96, maxLongSide: 160, flipped: false)
        XCTAssertEqual([b.inputWidth, b.inputHeight], [160, 80])
        // int(side * factor + 0.5): 333 x 500 to short 200 -> factor 0.6006 -> 200 x 300.
        let c = InputGeometry(storedWidth: 333, storedHeight: 500, shortSide: 200, maxLongSide: 1000, flipped: false)
        XCTAssertEqual([c.inputWidth, c.inputHeight], [200, 300])
        XCTAssertEqual(paddedSide(96, multiple: 32), 96)
        XCTAssertEqual(paddedSide(97, multiple: 32), 128)
        XCTAssertEqual(paddedSide(1, multiple: 32), 32)
    }

    func testFlipMirrorsBoxesPolygonsAndPixelsConsistently() throws {
        let dataset = try ShardDataset(directory: try LoaderFixture.write(in: directory))
        let (pixels, record) = try dataset.example(at: 0)
        let settings = LoaderFixture.settings()
        for flipped in [false, true] {
            let geometry = InputGeometry(storedWidth: pixels.width, storedHeight: pixels.height, shortSide: 96, maxLongSide: 160,
                                         flipped: flipped)
            let image = BatchAssembly.loadedImage(record: record, datasetIndex: 0, geometry: geometry)
            let batch = BatchAssembly.assemble([(pixels, image)], settings: settings, iteration: 0, epoch: 0)
            XCTAssertEqual(image.instances.count, 2)
            for (instance, stored) in zip(image.instances, record.instances) {
                // Box: scale 1.6 then mirror about the input width (128).
                let s = 1.6, width = 128.0
                let expected = flipped
                    ? BoxXYXY(x1: width - stored.box.x2 * s, y1: stored.box.y1 * s, x2: width - stored.box.x1 * s, y2: stored.box.y2 * s)
                    : BoxXYXY(x1: stored.box.x1 * s, y1: stored.box.y1 * s, x2: stored.box.x2 * s, y2: stored.box.y2 * s)
                XCTAssertEqual(instance.box.x1, expected.x1, accuracy: 1e-9)
                XCTAssertEqual(instance.box.x2, expected.x2, accuracy: 1e-9)
                XCTAssertEqual(instance.box.y1, expected.y1, accuracy: 1e-9)
                XCTAssertEqual(instance.box.y2, expected.y2, accuracy: 1e-9)
                // The polygon's extent is the box.
                let polygon = try XCTUnwrap(instance.polygons?.first)
                let xs = stride(from: 0, to: polygon.count, by: 2).map { polygon[$0] }
                let ys = stride(from: 1, to: polygon.count, by: 2).map { polygon[$0] }
                XCTAssertEqual(xs.min()!, instance.box.x1, accuracy: 1e-4)
                XCTAssertEqual(xs.max()!, instance.box.x2, accuracy: 1e-4)
                XCTAssertEqual(ys.min()!, instance.box.y1, accuracy: 1e-4)
                XCTAssertEqual(ys.max()!, instance.box.y2, accuracy: 1e-4)
                // The pixels: bright inside the mapped box, dark just outside it, in the same place.
                func value(_ x: Double, _ y: Double) -> Float {
                    let channelSum = (0..<3).map { c -> Float in
                        batch.pixels[c * batch.width * batch.height + Int(y) * batch.width + Int(x)] * settings.pixelStd[c]
                            + settings.pixelMean[c]
                    }
                    return channelSum.max()!
                }
                let box = instance.box
                XCTAssertGreaterThan(value((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2), 200, "flipped \(flipped)")
                XCTAssertGreaterThan(value(box.x1 + 2, box.y1 + 2), 200, "flipped \(flipped)")
                XCTAssertLessThan(value(box.x1 - 3, (box.y1 + box.y2) / 2), 40, "flipped \(flipped)")
                XCTAssertLessThan(value(box.x2 + 2, (box.y1 + box.y2) / 2), 40, "flipped \(flipped)")
            }
        }
    }

    func testBatchesArePaddedToThirtyTwoWithZerosAndKeepScales() throws {
        let dataset = try ShardDataset(directory: try LoaderFixture.write(in: directory))
        let settings = LoaderFixture.settings()
        let batches = EvaluationBatches(dataset: dataset, batchSize: 2, settings: settings)
        XCTAssertEqual(batches.count, 3)
        for number in 0..<batches.count {
            let batch = try batches.batch(number)
            XCTAssertEqual(batch.width % 32, 0)
            XCTAssertEqual(batch.height % 32, 0)
            XCTAssertEqual(batch.width, paddedSide(batch.images.map(\.inputWidth).max()!, multiple: 32))
            XCTAssertEqual(batch.height, paddedSide(batch.images.map(\.inputHeight).max()!, multiple: 32))
            XCTAssertEqual(batch.pixels.count, batch.count * 3 * batch.width * batch.height)
            for (slot, image) in batch.images.enumerated() {
                XCTAssertFalse(image.geometry.flipped)
                let spec = LoaderFixture.images[image.datasetIndex]
                // Test scale: short side 96 unless the long side (160) limits.
                let factor = min(160 / Double(max(spec.storedWidth, spec.storedHeight)), 96 / Double(min(spec.storedWidth, spec.storedHeight)))
                XCTAssertEqual(image.inputWidth, Int(Double(spec.storedWidth) * factor + 0.5))
                XCTAssertEqual(image.inputHeight, Int(Double(spec.storedHeight) * factor + 0.5))
                // Original = 2 x stored: input per original pixel is half the input per stored pixel.
                XCTAssertEqual(image.originalWidth, spec.storedWidth * 2)
                XCTAssertEqual(image.scaleX, image.geometry.scaleX / 2, accuracy: 1e-12)
                XCTAssertEqual(image.scaleY, image.geometry.scaleY / 2, accuracy: 1e-12)
                XCTAssertEqual(image.imageID, ImageID(100 + image.datasetIndex))
                // Padding is exactly 0 (after normalisation), in every channel.
                let plane = batch.width * batch.height
                for c in 0..<3 {
                    let base = (slot * 3 + c) * plane
                    for y in 0..<batch.height {
                        for x in 0..<batch.width where x >= image.inputWidth || y >= image.inputHeight {
                            XCTAssertEqual(batch.pixels[base + y * batch.width + x], 0)
                        }
                    }
                }
            }
        }
    }

    func testSameSizeResizeIsTheNormalisedImage() {
        var image = RGBImage(width: 5, height: 4, fill: .black)
        var random = SeededRandom(seed: 3)
        for i in image.pixels.indices { image.pixels[i] = UInt8(random.nextInt(below: 256)) }
        let mean: [Float] = [10, 20, 30], std: [Float] = [2, 4, 8]
        var planes = [Float](repeating: -1, count: 3 * 6 * 8)
        for flip in [false, true] {
            planes.withUnsafeMutableBufferPointer {
                ResizeNormalize.write(image, width: 5, height: 4, flip: flip, mean: mean, std: std, into: $0.baseAddress!,
                                      planeWidth: 8, planeHeight: 6)
            }
            for c in 0..<3 { for y in 0..<4 { for x in 0..<5 {
                let source = flip ? 4 - x : x
                let expected = (Float(image.pixels[(y * 5 + source) * 3 + c]) - mean[c]) / std[c]
                XCTAssertEqual(planes[c * 48 + y * 8 + x], expected, accuracy: 1e-5)
            } } }
            XCTAssertEqual(planes[7], -1, "outside the resized region is untouched")
        }
    }
}
