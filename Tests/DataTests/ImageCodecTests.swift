// JPEG and PNG decoding/encoding: round trips, every PNG colour type, DCT scaling sizes,
// and each kind of bad image (corrupt, truncated, CMYK, unknown format).
import XCTest
@testable import SharedData

final class ImageCodecTests: XCTestCase {
    func testPNGRoundTripIsExact() throws {
        var random = SeededGenerator(seed: 3)
        let pixels = (0..<(7 * 5 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let image = RGBImage(width: 7, height: 5, pixels: pixels)
        let decoded = try PNGCodec.decode(PNGCodec.encode(image))
        XCTAssertEqual(decoded, image)
    }

    func testPNGGreyPaletteSixteenBitAndAlpha() throws {
        // 8-bit grey.
        let grey = TestPNG.make(width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[10, 200]])
        XCTAssertEqual(try PNGCodec.decode(grey).pixels, [10, 10, 10, 200, 200, 200])
        // Palette (2 entries) with indices 1, 0.
        let palette = TestPNG.make(width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[1, 0]],
                                   palette: [255, 0, 0, 0, 0, 255])
        XCTAssertEqual(try PNGCodec.decode(palette).pixels, [0, 0, 255, 255, 0, 0])
        // 16-bit RGB: 0xFFFF -> 255, 0x0000 -> 0, 0x8080 -> 128.
        let deep = TestPNG.make(width: 1, height: 1, bitDepth: 16, colorType: 2, rows: [[0xFF, 0xFF, 0x00, 0x00, 0x80, 0x80]])
        let deepPixels = try PNGCodec.decode(deep).pixels
        XCTAssertEqual(deepPixels[0], 255)
        XCTAssertEqual(deepPixels[1], 0)
        XCTAssertEqual(deepPixels[2], 128)
        // RGBA: opaque red, fully transparent (-> background), half-transparent black.
        let rgba = TestPNG.make(width: 3, height: 1, bitDepth: 8, colorType: 6,
                                rows: [[255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 0, 128]])
        let composited = try PNGCodec.decode(rgba, background: RGBColor(hex: 0x204060)).pixels
        XCTAssertEqual(Array(composited[0..<3]), [255, 0, 0])
        XCTAssertEqual(Array(composited[3..<6]), [0x20, 0x40, 0x60])
        // (0 * 128 + c * 127 + 127) / 255 for the background channels 0x20, 0x40, 0x60.
        XCTAssertEqual(Array(composited[6..<9]), [16, 32, 48])
        // Grey + alpha, opaque.
        let greyAlpha = TestPNG.make(width: 1, height: 1, bitDepth: 8, colorType: 4, rows: [[77, 255]])
        XCTAssertEqual(try PNGCodec.decode(greyAlpha).pixels, [77, 77, 77])
    }

    func testTruncatedAndCorruptPNGAreRefused() {
        let good = TestPNG.make(width: 4, height: 4, bitDepth: 8, colorType: 0, rows: Array(repeating: [1, 2, 3, 4], count: 4))
        XCTAssertNoThrow(try PNGCodec.decode(good))
        let truncated = Array(good[0..<(good.count - 30)])
        XCTAssertThrowsError(try PNGCodec.decode(truncated)) { error in
            XCTAssertTrue(error is ImageDecodeError)
        }
        var corrupt = good
        corrupt[20] ^= 0xFF  // inside IHDR: its CRC no longer matches
        XCTAssertThrowsError(try PNGCodec.decode(corrupt))
    }

    func testJPEGRoundTripIsClose() throws {
        let image = gradient(width: 64, height: 48)
        let bytes = JPEGCodec.encode(image, quality: 95)
        XCTAssertEqual(bytes.prefix(2), [0xFF, 0xD8])
        let decoded = try JPEGCodec.decode(bytes)
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.height, 48)
        XCTAssertLessThan(meanAbsoluteDifference(decoded, image), 2.0)
        let size = try bytes.withUnsafeBytes { try JPEGCodec.size($0) }
        XCTAssertEqual(size.width, 64)
        XCTAssertEqual(size.height, 48)
    }

    func testJPEGDCTScalingGivesCeilingSizes() throws {
        let bytes = JPEGCodec.encode(gradient(width: 100, height: 61), quality: 90)
        for numerator in 1...8 {
            let decoded = try JPEGCodec.decode(bytes, scaleNumerator: numerator)
            XCTAssertEqual(decoded.width, (100 * numerator + 7) / 8)
            XCTAssertEqual(decoded.height, (61 * numerator + 7) / 8)
        }
        XCTAssertEqual(JPEGCodec.scaleNumerator(width: 640, height: 480, minimumWidth: 320, minimumHeight: 240), 4)
        // Only the SIMD scales 1, 2, 4, 8 are chosen.
        XCTAssertEqual(JPEGCodec.scaleNumerator(width: 640, height: 480, minimumWidth: 321, minimumHeight: 240), 8)
        XCTAssertEqual(JPEGCodec.scaleNumerator(width: 640, height: 480, minimumWidth: 100, minimumHeight: 60), 2)
        XCTAssertEqual(JPEGCodec.scaleNumerator(width: 640, height: 480, minimumWidth: 80, minimumHeight: 60), 1)
        XCTAssertEqual(JPEGCodec.scaleNumerator(width: 640, height: 480, minimumWidth: 640, minimumHeight: 480), 8)
        // Scaled decode then area resize stays close to a full decode then area resize.
        let full = AreaResize.resize(try JPEGCodec.decode(bytes), width: 25, height: 15)
        let scaled = AreaResize.resize(try JPEGCodec.decode(bytes, scaleNumerator: 2), width: 25, height: 15)
        XCTAssertLessThan(meanAbsoluteDifference(full, scaled), 4.0)
    }

    func testBadJPEGKinds() {
        let bytes = JPEGCodec.encode(gradient(width: 256, height: 256), quality: 90)
        // Truncated inside the scan data: libjpeg pads with a fake EOI and warns.
        XCTAssertThrowsError(try JPEGCodec.decode(Array(bytes[0..<(bytes.count / 2)]))) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .truncated, "\(error)")
        }
        // Validation without pixels reports the same kinds.
        XCTAssertEqual(try bytes.withUnsafeBytes { try JPEGCodec.validate($0) }.width, 256)
        XCTAssertThrowsError(try Array(bytes[0..<(bytes.count / 2)]).withUnsafeBytes { try JPEGCodec.validate($0) }) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .truncated, "\(error)")
        }
        XCTAssertThrowsError(try TestJPEG.cmykOnePixel.withUnsafeBytes { try JPEGCodec.validate($0) }) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .cmyk)
        }
        var damaged = bytes
        for index in stride(from: bytes.count / 2, to: bytes.count / 2 + 40, by: 1) { damaged[index] = 0xFF }
        XCTAssertThrowsError(try damaged.withUnsafeBytes { try JPEGCodec.validate($0) })
        XCTAssertThrowsError(try JPEGCodec.decode(damaged))
        // Header destroyed.
        XCTAssertThrowsError(try JPEGCodec.decode([0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3])) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .corrupt)
        }
        // Not an image.
        XCTAssertThrowsError(try Array("hello".utf8).withUnsafeBytes { try ImageDecoding.decode($0) }) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .unknownFormat)
        }
        // CMYK: a real 1x1 CMYK file (scripts/prep/make_cmyk_fixture.py).
        XCTAssertThrowsError(try JPEGCodec.decode(TestJPEG.cmykOnePixel)) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .cmyk)
        }
    }

    // MARK: Helpers

    func gradient(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBColor(red: UInt8(x * 255 / max(1, width - 1)), green: UInt8(y * 255 / max(1, height - 1)), blue: 90)
            }
        }
        return image
    }
}

func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height)
    var total = 0
    for index in 0..<a.pixels.count { total += abs(Int(a.pixels[index]) - Int(b.pixels[index])) }
    return Double(total) / Double(a.pixels.count)
}

/// A seeded generator for test inputs.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
