// What the trainer and the predictor do with inputs they cannot use: a non-finite box or
// polygon coordinate is named (image id, instance, shard folder) before the training step;
// the non-finite-loss message says the inputs were finite; a result with a NaN score or box
// never reaches the output stream.
import XCTest
@testable import SharedDetection
import SharedData
import SharedSupport

final class TrainerHostileInputTests: XCTestCase {
    func batch(box: BoxXYXY, polygon: [Double], crowd: Bool = false) -> ImageBatch {
        let geometry = InputGeometry(storedWidth: 40, storedHeight: 20, shortSide: 40, maxLongSide: 100, flipped: false)
        let good = LoadedInstance(classIndex: ClassIndex(0), isCrowd: false, box: BoxXYXY(x1: 1, y1: 1, x2: 5, y2: 5),
                                  polygons: [[1, 1, 5, 1, 5, 5]], segmentation: .none)
        let bad = LoadedInstance(classIndex: ClassIndex(1), isCrowd: crowd, box: box, polygons: [polygon], segmentation: .none)
        let image = LoadedImage(datasetIndex: 0, imageID: ImageID(42), originalWidth: 40, originalHeight: 20, geometry: geometry,
                                instances: [good, bad])
        return ImageBatch(iteration: 0, epoch: 0, images: [image], width: 64, height: 32, pixels: [Float](repeating: 0, count: 3 * 64 * 32))
    }

    func testNonFiniteTargetsAreNamedBeforeTheStep() {
        let square: [Double] = [4, 6, 30, 6, 30, 20]
        let cases: [(BoxXYXY, [Double], String)] = [
            (BoxXYXY(x1: 4, y1: .nan, x2: 30, y2: 20), square, "instance 1: box [4.0, nan, 30.0, 20.0] holds a value"),
            (BoxXYXY(x1: 4, y1: 6, x2: .infinity, y2: 20), square, "instance 1: box [4.0, 6.0, inf, 20.0] holds a value"),
            (BoxXYXY(x1: 4, y1: 6, x2: 1e300, y2: 20), square, "box [4.0, 6.0, 1e+300, 20.0]"),
            (BoxXYXY(x1: 4, y1: 6, x2: 30, y2: 20), [4, 6, 30, .nan, 30, 20], "instance 1: polygon 0, value 3: nan holds a value"),
        ]
        for (box, polygon, expected) in cases {
            XCTAssertThrowsError(try BatchTargets.requireFiniteTargets(batch(box: box, polygon: polygon), shards: "shards/train")) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.file, "shards/train")
                XCTAssertEqual(toolError?.record, "image id 42")
                XCTAssertEqual(toolError?.exitCode, .dataError)
                XCTAssertTrue(toolError?.message.contains(expected) ?? false, "\(error)")
                XCTAssertTrue(toolError?.hint?.contains("lvis-prep convert") ?? false, "\(error)")
            }
        }
        // Crowd instances are not targets: not the model's input, not refused here.
        XCTAssertNoThrow(try BatchTargets.requireFiniteTargets(batch(box: BoxXYXY(x1: .nan, y1: 0, x2: 1, y2: 1), polygon: square,
                                                                     crowd: true), shards: "s"))
        XCTAssertNoThrow(try BatchTargets.requireFiniteTargets(batch(box: BoxXYXY(x1: 4, y1: 6, x2: 30, y2: 20), polygon: square),
                                                               shards: "s"))
    }

    func testTheNonFiniteLossMessageSaysTheInputsWereFinite() {
        let note = FitLoop.finiteInputsNote(batch(box: BoxXYXY(x1: 4, y1: 6, x2: 30, y2: 20), polygon: [4, 6, 30, 6, 30, 20]).images)
        XCTAssertEqual(note, "the batch's inputs (image ids 42: pixels, boxes, polygons) are finite, so the weights diverged")
    }

    func testAResultWithANonFiniteNumberNeverReachesTheStream() throws {
        var written: [UInt8] = []
        let stream = try ResultsStream { written += $0 }
        let good = DetectionResult(imageID: ImageID(1), categoryID: CategoryID(3), score: 0.5, bbox: BoxXYWH(x: 1, y: 2, width: 3, height: 4))
        try stream.write([good])
        let before = written
        for bad in [DetectionResult(imageID: ImageID(2), categoryID: CategoryID(3), score: .nan, bbox: BoxXYWH(x: 1, y: 2, width: 3, height: 4)),
                    DetectionResult(imageID: ImageID(2), categoryID: CategoryID(3), score: 0.5, bbox: BoxXYWH(x: 1, y: .infinity, width: 3, height: 4))] {
            XCTAssertThrowsError(try stream.write([good, bad])) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.record, "image id 2")
                XCTAssertTrue(toolError?.message.contains("not a finite number") ?? false, "\(error)")
            }
            XCTAssertEqual(written, before, "nothing of the refused image's results is written")
        }
        XCTAssertEqual(stream.count, 1)
        try stream.close()
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(written)) as? [[String: Any]])
        XCTAssertEqual(results.count, 1)
    }
}
