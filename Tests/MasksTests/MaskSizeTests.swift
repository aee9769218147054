// Mask sizes an RLE cannot describe (height * width above 2^32 - 1, the 32-bit run lengths of
// pycocotools) are errors in every segmentation form, computed in 64 bits instead of
// wrapping or trapping; the largest describable size still works.
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class MaskSizeTests: XCTestCase {
    func testDescribableSizesAreComputedIn64Bits() {
        XCTAssertEqual(RLE.pixels(height: 480, width: 640), 307_200)
        XCTAssertEqual(RLE.pixels(height: 0, width: 640), 0)
        XCTAssertEqual(RLE.pixels(height: 65_537, width: 65_535), UInt32.max)
        XCTAssertNil(RLE.pixels(height: 65_536, width: 65_536))
        XCTAssertNil(RLE.pixels(height: 100_000, width: 100_000))
        XCTAssertNil(RLE.pixels(height: 1 << 40, width: 1 << 40))  // past 64 bits
        XCTAssertNil(RLE.pixels(height: -1, width: 5))
        XCTAssertNoThrow(try RLE.checkSize(height: 65_537, width: 65_535))
        XCTAssertThrowsError(try RLE.checkSize(height: Int.max, width: Int.max))
    }

    /// The crash: an empty segmentation of a 100000 x 100000 image (h * w in 32 bits).
    func testEmptySegmentationOfAHugeImageIsAnError() {
        XCTAssertThrowsError(try RLE(segmentation: .polygons([]), height: 100_000, width: 100_000)) { error in
            let message = (error as? ToolError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("a 100000x100000 mask (height x width = 10000000000 pixels) is larger than an RLE mask can describe: at most 4294967295 pixels"),
                          message)
        }
        XCTAssertEqual(try RLE(segmentation: .polygons([]), height: 65_537, width: 65_535).counts, [UInt32.max])
    }

    /// A polygon on such an image used to be reported as malformed counts with a wrapped
    /// pixel count; it is the size that is wrong.
    func testPolygonOnAHugeImageNamesTheSize() {
        XCTAssertThrowsError(try RLE(segmentation: .polygons([[10, 10, 50, 10, 50, 50]]), height: 100_000, width: 100_000)) { error in
            let text = (error as? ToolError)?.message ?? "\(error)"
            XCTAssertTrue(text.contains("100000x100000") && text.contains("10000000000 pixels"), text)
            XCTAssertFalse(text.contains("malformed"), text)
        }
    }

    /// Runs whose 64-bit sum equals h * w of an image past 2^32 pixels: each run fits 32
    /// bits, so only the size check can refuse them (the run walks would wrap).
    func testRunsCoveringAHugeImageAreAnError() {
        let counts: [UInt32] = [UInt32.max, UInt32.max, 1_410_065_410]  // sum 10^10
        let huge = RLE(height: 100_000, width: 100_000, counts: counts)
        XCTAssertEqual(huge.pixelCount, 10_000_000_000)
        XCTAssertFalse(counts.withUnsafeBufferPointer { RunLengthKernels.coversImage($0, height: 100_000, width: 100_000) })
        for segmentation in [Segmentation.uncompressedRLE(height: 100_000, width: 100_000, counts: counts),
                             .compressedRLE(height: 100_000, width: 100_000, counts: huge.compressedBytes)] {
            XCTAssertThrowsError(try RLE(segmentation: segmentation, height: 100_000, width: 100_000)) { error in
                let message = (error as? ToolError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains("larger than an RLE mask can describe"), message)
            }
        }
        let error = RLE.coverageError(pixelCount: huge.pixelCount, height: 100_000, width: 100_000)
        XCTAssertTrue(error.message.contains("100000x100000 mask (height x width = 10000000000 pixels)"), error.message)
    }
}
