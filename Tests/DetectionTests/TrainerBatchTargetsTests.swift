// A loader batch as model inputs: polygon instances become targets in input pixels; crowd
// instances and instances without polygons are left out and counted; the tensor is the
// batch's pixels; the detect info carries input and original sizes.
import XCTest
@testable import SharedDetection
import SharedData

final class TrainerBatchTargetsTests: XCTestCase {
    func testPolygonInstancesBecomeTargetsAndTheRestIsCounted() {
        let geometry = InputGeometry(storedWidth: 40, storedHeight: 20, shortSide: 40, maxLongSide: 100, flipped: true)
        let polygon = LoadedInstance(classIndex: ClassIndex(2), isCrowd: false, box: BoxXYXY(x1: 4, y1: 6, x2: 30, y2: 20),
                                     polygons: [[4, 6, 30, 6, 30, 20]], segmentation: .polygons([[1, 2, 3, 4, 5, 6]]))
        let crowd = LoadedInstance(classIndex: ClassIndex(1), isCrowd: true, box: BoxXYXY(x1: 0, y1: 0, x2: 10, y2: 10), polygons: nil,
                                   segmentation: .uncompressedRLE(height: 20, width: 40, counts: [800]))
        let rle = LoadedInstance(classIndex: ClassIndex(0), isCrowd: false, box: BoxXYXY(x1: 1, y1: 1, x2: 5, y2: 5), polygons: nil,
                                 segmentation: .compressedRLE(height: 20, width: 40, counts: Array("0".utf8)))
        let image = LoadedImage(datasetIndex: 3, imageID: ImageID(9), originalWidth: 80, originalHeight: 40, geometry: geometry,
                                instances: [crowd, polygon, rle])
        let pixels = (0..<(3 * 64 * 96)).map { Float($0 % 7) }
        let batch = ImageBatch(iteration: 0, epoch: 0, images: [image], width: 96, height: 64, pixels: pixels)
        let (targets, skipped) = BatchTargets.targets(batch)
        XCTAssertEqual(skipped.crowd, 1)
        XCTAssertEqual(skipped.withoutPolygons, 1)
        XCTAssertEqual(targets.count, 1)
        XCTAssertEqual(targets[0].boxes, [Box(x1: 4, y1: 6, x2: 30, y2: 20)])
        XCTAssertEqual(targets[0].classes, [2])
        XCTAssertEqual(targets[0].polygons, [[[4, 6, 30, 6, 30, 20]]])
        XCTAssertEqual(targets[0].inputSize, ImageSize(width: 80, height: 40))
        let tensor = BatchTargets.imageTensor(batch)
        XCTAssertEqual(tensor.shape, [1, 3, 64, 96])
        XCTAssertEqual(tensor.toArray(), pixels)
        XCTAssertEqual(BatchTargets.inputInfo(batch), [InputImageInfo(inputSize: ImageSize(width: 80, height: 40),
                                                                      originalSize: ImageSize(width: 80, height: 40))])
    }
}
