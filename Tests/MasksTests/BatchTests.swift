// The parallel batch forms give exactly the serial results, and name a failing job.
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class BatchTests: XCTestCase {
    func testParallelRasterisationAndIoUEqualSerial() throws {
        let dataset = try Dataset.load(path: MaskFixtures.realData.appendingPathComponent("coco128/annotations/instances_train2017.json").path)
        let sizes = Dictionary(uniqueKeysWithValues: dataset.images.map { ($0.id, $0) })
        let jobs = dataset.annotations.prefix(200).map { annotation in
            SegmentationJob(segmentation: annotation.segmentation!, height: sizes[annotation.imageID]!.height,
                            width: sizes[annotation.imageID]!.width)
        }
        let parallel = try RLE.masks(for: jobs, parallelism: Parallelism(threads: 4))
        let serial = try jobs.map { try RLE(segmentation: $0.segmentation, height: $0.height, width: $0.width) }
        XCTAssertEqual(parallel, serial)

        let image = dataset.annotations[0].imageID
        let onImage = dataset.annotations.indices.filter { dataset.annotations[$0].imageID == image }
        let masks = onImage.map { serial[$0] }
        let crowd = onImage.map { dataset.annotations[$0].isCrowd }
        XCTAssertEqual(maskIoU(detections: masks, groundTruths: masks, isCrowd: crowd, parallelism: Parallelism(threads: 3)),
                       maskIoU(detections: masks, groundTruths: masks, isCrowd: crowd))
    }

    func testBatchNamesTheFailingJob() {
        let jobs = [SegmentationJob(segmentation: .polygons([[0, 0, 4, 0, 4, 4]]), height: 5, width: 5),
                    SegmentationJob(segmentation: .polygons([[1, 2]]), height: 5, width: 5)]
        XCTAssertThrowsError(try RLE.masks(for: jobs, parallelism: .serial)) { error in
            XCTAssertEqual((error as? ToolError)?.record, "segmentation 1")
        }
    }
}
