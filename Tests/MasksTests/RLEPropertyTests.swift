// Property tests of the mask API against naive pixel-by-pixel oracles on seeded random
// masks: encode/decode round trips, area, merge, bounding box, IoU symmetry and range.
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class RLEPropertyTests: XCTestCase {
    /// A random column-major mask made of a few random rectangles (so runs are realistic).
    private func randomMask(_ random: inout SeededRandom, height: Int, width: Int) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: height * width)
        for _ in 0..<random.nextInt(below: 4) {
            let x0 = random.nextInt(below: width), y0 = random.nextInt(below: height)
            let x1 = x0 + random.nextInt(below: width - x0 + 1), y1 = y0 + random.nextInt(below: height - y0 + 1)
            for x in x0..<x1 { for y in y0..<y1 { mask[x * height + y] = 1 } }
        }
        if random.nextInt(below: 5) == 0 {  // salt
            for _ in 0..<random.nextInt(below: 10) { mask[random.nextInt(below: mask.count)] ^= 1 }
        }
        return mask
    }

    func testEncodeDecodeRoundTripAndArea() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<300 {
            let height = 1 + random.nextInt(below: 20), width = 1 + random.nextInt(below: 20)
            let mask = randomMask(&random, height: height, width: width)
            let rle = RLE(columnMajorMask: mask, height: height, width: width)
            XCTAssertEqual(rle.decodeColumnMajor(), mask)
            XCTAssertEqual(rle.area, mask.reduce(0) { $0 + Int($1) })
            XCTAssertEqual(Int(rle.counts.reduce(0, +)), height * width)
            let compressed = RLE(compressedString: rle.compressedString, height: height, width: width)
            XCTAssertEqual(compressed, rle)
            var rowMajor = [UInt8](repeating: 0, count: mask.count)
            for x in 0..<width { for y in 0..<height { rowMajor[y * width + x] = mask[x * height + y] } }
            XCTAssertEqual(rle.decodeRowMajor(), rowMajor)
            XCTAssertEqual(rowMajor.withUnsafeBufferPointer { RLE(rowMajorMask: $0, height: height, width: width) }, rle)
        }
    }

    func testMergeMatchesPixelwiseUnionAndIntersection() {
        var random = SeededRandom(seed: 12)
        for _ in 0..<200 {
            let height = 1 + random.nextInt(below: 16), width = 1 + random.nextInt(below: 16)
            let masks = (0..<(2 + random.nextInt(below: 3))).map { _ in randomMask(&random, height: height, width: width) }
            let rles = masks.map { RLE(columnMajorMask: $0, height: height, width: width) }
            let union = (0..<(height * width)).map { index in masks.contains { $0[index] != 0 } ? UInt8(1) : 0 }
            let intersection = (0..<(height * width)).map { index in masks.allSatisfy { $0[index] != 0 } ? UInt8(1) : 0 }
            XCTAssertEqual(RLE.merge(rles, intersect: false).decodeColumnMajor(), union)
            XCTAssertEqual(RLE.merge(rles, intersect: true).decodeColumnMajor(), intersection)
        }
    }

    func testBoundingBoxMatchesPixels() {
        var random = SeededRandom(seed: 13)
        for _ in 0..<300 {
            let height = 1 + random.nextInt(below: 20), width = 1 + random.nextInt(below: 20)
            let mask = randomMask(&random, height: height, width: width)
            let rle = RLE(columnMajorMask: mask, height: height, width: width)
            var xs = Int.max, ys = Int.max, xe = -1, ye = -1
            for x in 0..<width { for y in 0..<height where mask[x * height + y] != 0 {
                xs = min(xs, x); xe = max(xe, x); ys = min(ys, y); ye = max(ye, y)
            } }
            guard xe >= 0 else {
                XCTAssertEqual(rle.boundingBox.width * rle.boundingBox.height, 0)
                continue
            }
            let box = rle.boundingBox
            // pycocotools widens the box to the full height when a run crosses a column.
            let crossesColumns = rle.counts.indices.contains { j in
                guard j % 2 == 1, rle.counts[j] > 0 else { return false }
                let start = Int(rle.counts[..<j].reduce(0, +))
                return start / height != (start + Int(rle.counts[j]) - 1) / height
            }
            XCTAssertEqual(box.x, Double(xs))
            XCTAssertEqual(box.width, Double(xe - xs + 1))
            if crossesColumns {
                XCTAssertEqual([box.y, box.height], [0, Double(height)])
            } else {
                XCTAssertEqual([box.y, box.height], [Double(ys), Double(ye - ys + 1)])
            }
        }
    }

    func testMaskIoUIsSymmetricBoundedAndMatchesPixels() {
        var random = SeededRandom(seed: 14)
        for _ in 0..<200 {
            let height = 2 + random.nextInt(below: 16), width = 2 + random.nextInt(below: 16)
            let a = randomMask(&random, height: height, width: width), b = randomMask(&random, height: height, width: width)
            let ra = RLE(columnMajorMask: a, height: height, width: width)
            let rb = RLE(columnMajorMask: b, height: height, width: width)
            let ab = maskIoU(detections: [ra], groundTruths: [rb], isCrowd: [false])[0]
            let ba = maskIoU(detections: [rb], groundTruths: [ra], isCrowd: [false])[0]
            XCTAssertEqual(ab, ba)
            XCTAssertTrue((0...1).contains(ab))
            let intersection = zip(a, b).filter { $0 != 0 && $1 != 0 }.count
            let union = zip(a, b).filter { $0 != 0 || $1 != 0 }.count
            XCTAssertEqual(ab, intersection == 0 ? 0 : Double(intersection) / Double(union))
            let crowd = maskIoU(detections: [ra], groundTruths: [rb], isCrowd: [true])[0]
            XCTAssertEqual(crowd, intersection == 0 ? 0 : Double(intersection) / Double(ra.area))
            XCTAssertEqual(maskIoU(detections: [ra], groundTruths: [ra], isCrowd: [false])[0], ra.area > 0 ? 1 : 0)
        }
    }

    func testBoxIoUIsSymmetricAndBounded() {
        var random = SeededRandom(seed: 15)
        for _ in 0..<1000 {
            let a = BoxXYWH(x: random.nextDouble() * 20, y: random.nextDouble() * 20, width: random.nextDouble() * 10, height: random.nextDouble() * 10)
            let b = BoxXYWH(x: random.nextDouble() * 20, y: random.nextDouble() * 20, width: random.nextDouble() * 10, height: random.nextDouble() * 10)
            let ab = boxIoU(a, b, isCrowd: false), ba = boxIoU(b, a, isCrowd: false)
            XCTAssertEqual(ab, ba, accuracy: 1e-15)
            XCTAssertTrue(ab >= 0 && ab <= 1 + 1e-15)
        }
    }

    func testPolygonOfBoxEqualsBox() {
        var random = SeededRandom(seed: 16)
        for _ in 0..<100 {
            let box = BoxXYWH(x: random.nextDouble() * 10 - 2, y: random.nextDouble() * 10 - 2,
                              width: random.nextDouble() * 10, height: random.nextDouble() * 10)
            let fromBox = RLE(box: box, height: 12, width: 11)
            let fromPolygon = RLE(polygon: [box.x, box.y, box.x, box.y + box.height, box.x + box.width, box.y + box.height,
                                            box.x + box.width, box.y], height: 12, width: 11)
            XCTAssertEqual(fromBox, fromPolygon)
        }
    }
}
