// The COCO compressed RLE string codec, and annToRLE on real COCO / LVIS annotations and
// real model results, against pycocotools.
import SharedData
import SharedMasks
import XCTest

final class CompressedStringTests: XCTestCase {
    func testStringsMatchPycocotools() throws {
        for (index, item) in try MaskFixtures.cases("mask_synthetic.json", "strings").enumerated() {
            let rle = RLE(height: item.int("height"), width: item.int("width"), counts: item.counts("counts"))
            XCTAssertEqual(rle.compressedString, item.string("string"), "string case \(index)")
            let decoded = RLE(compressedString: item.string("string"), height: rle.height, width: rle.width)
            XCTAssertEqual(decoded.counts, rle.counts, "string case \(index)")
            XCTAssertEqual(decoded.area, item.int("area"), "string case \(index)")
            XCTAssertEqual(values(decoded.boundingBox), item.doubles("bbox"), "string case \(index)")
        }
    }

    func testHandDecodedString() {
        // counts [3, 4, 5]: each is one 5-bit group, +48: "3" "4" "5"
        XCTAssertEqual(RLE(height: 1, width: 12, counts: [3, 4, 5]).compressedString, "345")
        // 40 needs two groups: 40 & 0x1f = 8 | 0x20 (more) -> 40+48 = 'X'; 40 >> 5 = 1 -> '1'
        XCTAssertEqual(RLE(height: 1, width: 40, counts: [40]).compressedString, "X1")
    }

    func testRealSegmentationsMatchAnnToRLE() throws {
        let coco = try Dataset.load(path: MaskFixtures.realData.appendingPathComponent("coco128/annotations/instances_train2017.json").path)
        let lvis = try Dataset.load(path: MaskFixtures.realData.appendingPathComponent("eval/lvis_val_100.json").path)
        let sources = ["coco128": coco, "lvis_val_100": lvis]
        var checked = 0
        for item in try MaskFixtures.cases("mask_real.json", "masks") {
            let source = item.string("source")
            let (h, w) = (item.int("height"), item.int("width"))
            let rle: RLE
            if let dataset = sources[source] {
                let annotation = try XCTUnwrap(dataset.annotations.first { $0.id.rawValue == item.int("annotationID") })
                rle = try RLE(segmentation: XCTUnwrap(annotation.segmentation), height: h, width: w)
                XCTAssertEqual(rle.compressedString, item.string("string"), "\(source) annotation \(annotation.id)")
            } else {
                rle = RLE(compressedString: item.string("string"), height: h, width: w)
                XCTAssertEqual(rle.compressedString, item.string("string"), "\(source) \(item.int("annotationID"))")
            }
            XCTAssertEqual(rle.area, item.int("area"), "\(source) \(item.int("annotationID"))")
            XCTAssertEqual(values(rle.boundingBox), item.doubles("bbox"), "\(source) \(item.int("annotationID"))")
            checked += 1
        }
        XCTAssertEqual(checked, 173)
    }
}
