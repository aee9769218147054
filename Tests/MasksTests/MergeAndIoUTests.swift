// rleMerge, rleIou and bbIou against pycocotools: exact counts and exact doubles,
// including the crowd rule (union = detection area) and D x G row-major layout.
import SharedData
import SharedMasks
import XCTest

final class MergeAndIoUTests: XCTestCase {
    func testMergeMatchesPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "merges")
        XCTAssertEqual(cases.count, 40)
        for (index, item) in cases.enumerated() {
            let (h, w) = (item.int("height"), item.int("width"))
            let inputs = item.countLists("inputs").map { RLE(height: h, width: w, counts: $0) }
            XCTAssertEqual(RLE.merge(inputs, intersect: false).counts, item.counts("union"), "merge case \(index)")
            XCTAssertEqual(RLE.merge(inputs, intersect: true).counts, item.counts("intersection"), "merge case \(index)")
        }
    }

    func testMaskIoUMatchesPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "maskIoU")
        for (index, item) in cases.enumerated() {
            let (h, w) = (item.int("height"), item.int("width"))
            let detections = item.countLists("detections").map { RLE(height: h, width: w, counts: $0) }
            let truths = item.countLists("groundTruths").map { RLE(height: h, width: w, counts: $0) }
            let iou = maskIoU(detections: detections, groundTruths: truths, isCrowd: item.bools("isCrowd"))
            XCTAssertEqual(iou, item.doubles("iou"), "mask IoU case \(index)")
        }
    }

    func testBoxIoUMatchesPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "boxIoU")
        XCTAssertEqual(cases.count, 30)
        for (index, item) in cases.enumerated() {
            let iou = boxIoU(detections: item.doubleLists("detections").map(box),
                             groundTruths: item.doubleLists("groundTruths").map(box), isCrowd: item.bools("isCrowd"))
            XCTAssertEqual(iou, item.doubles("iou"), "box IoU case \(index)")
        }
    }

    func testHandComputedBoxIoU() {
        let a = BoxXYWH(x: 0, y: 0, width: 10, height: 10)
        let b = BoxXYWH(x: 5, y: 5, width: 10, height: 10)
        XCTAssertEqual(boxIoU(a, b, isCrowd: false), 25.0 / 175.0)
        XCTAssertEqual(boxIoU(a, b, isCrowd: true), 25.0 / 100.0)  // union = detection area
        XCTAssertEqual(boxIoU(a, BoxXYWH(x: 10, y: 0, width: 5, height: 5), isCrowd: false), 0)  // touching
        XCTAssertEqual(boxIoU(detections: [a, b], groundTruths: [b], isCrowd: [false]), [25.0 / 175.0, 1])
    }

    func testMaskIoUOfDifferentSizesIsMinusOne() {
        let a = RLE(box: BoxXYWH(x: 0, y: 0, width: 4, height: 4), height: 8, width: 8)
        let b = RLE(box: BoxXYWH(x: 0, y: 0, width: 4, height: 4), height: 8, width: 9)
        XCTAssertEqual(maskIoU(detections: [a], groundTruths: [b], isCrowd: [false]), [-1])
    }

    func testRealMaskIoUMatchesPycocotools() throws {
        let dataset = try Dataset.load(path: MaskFixtures.realData.appendingPathComponent("coco128/annotations/instances_train2017.json").path)
        let byID = Dictionary(uniqueKeysWithValues: dataset.annotations.map { ($0.id.rawValue, $0) })
        let images = Dictionary(uniqueKeysWithValues: dataset.images.map { ($0.id, $0) })
        let cases = try MaskFixtures.cases("mask_real.json", "maskIoU")
        XCTAssertGreaterThan(cases.count, 5)
        for item in cases {
            let annotations = try item.ints("annotationIDs").map { try XCTUnwrap(byID[$0]) }
            let rles = try annotations.map { annotation -> RLE in
                let image = try XCTUnwrap(images[annotation.imageID])
                return try RLE(segmentation: XCTUnwrap(annotation.segmentation), height: image.height, width: image.width)
            }
            let iou = maskIoU(detections: rles, groundTruths: rles, isCrowd: annotations.map(\.isCrowd))
            XCTAssertEqual(iou, item.doubles("iou"), "image \(item.int("imageID"))")
        }
    }
}
