// Image headers are read, and JPEGs the decoder cannot turn into RGB are refused, before any
// pixel is decoded (issue "Hostile input": a 809-byte JPEG claiming 20000 x 20000 cost 2.4 GB).
import XCTest
@testable import SharedData

final class ImageHeaderTests: XCTestCase {
    func testHeadersClaimingHugeImagesAreReadWithoutDecoding() throws {
        let cases: [(String, ImageFileFormat, Int, Int)] = [
            ("header_20000x20000.jpg", .jpeg, 20000, 20000), ("header_65500x65500.jpg", .jpeg, 65500, 65500),
            ("header_16384x16384.png", .png, 16384, 16384),
        ]
        for (name, format, width, height) in cases {
            let bytes = try ImageFixtures.bytes(name)
            XCTAssertLessThan(bytes.count, 1000, name)
            let header = try bytes.withUnsafeBytes { try ImageHeader.read($0) }
            XCTAssertEqual(header, ImageHeader(format: format, width: width, height: height), name)
            let size = try bytes.withUnsafeBytes { try ImageDecoding.size($0) }
            XCTAssertEqual(size.width, width, name)
            XCTAssertEqual(size.height, height, name)
        }
    }

    /// Past the codecs' 2^28 pixels, validate (whose whole-image coefficient buffers would
    /// take gigabytes) and decode refuse from the header (fuzz/crashes/image/jpeg-over-4-gib).
    func testValidateAndDecodeRefuseImagesPastTheDecodersLimit() throws {
        for name in ["header_20000x20000.jpg", "header_65500x65500.jpg"] {
            let bytes = try ImageFixtures.bytes(name)
            XCTAssertGreaterThan(20000 * 20000, ImageDecoding.maxPixels, name)
            for (label, body) in [("validate", { _ = try bytes.withUnsafeBytes { try JPEGCodec.validate($0) } }),
                                  ("decode", { _ = try bytes.withUnsafeBytes { try ImageDecoding.decode($0) } })] as [(String, () throws -> Void)] {
                XCTAssertThrowsError(try body(), "\(name) \(label)") { error in
                    XCTAssertTrue((error as? ImageDecodeError)?.message.contains("implausible size") ?? false, "\(name) \(label): \(error)")
                }
            }
        }
    }

    func testNeitherJPEGNorPNGIsUnknownFormat() {
        XCTAssertThrowsError(try Array("GIF89a".utf8).withUnsafeBytes { try ImageHeader.read($0) }) { error in
            XCTAssertEqual((error as? ImageDecodeError)?.kind, .unknownFormat)
        }
    }

    /// libjpeg reads a 2-component JPEG as JCS_UNKNOWN and cannot convert it to RGB, though
    /// its entropy data is fine: the header, validation and decoding all refuse it alike, so
    /// convert never stores one that fit cannot decode.
    func testTwoComponentJPEGIsRefusedByHeaderValidateAndDecode() throws {
        let bytes = try ImageFixtures.bytes("two_components_16x16.jpg")
        func assertUnsupported(_ label: String, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), label) { error in
                let failure = error as? ImageDecodeError
                XCTAssertEqual(failure?.kind, .unsupported, "\(label): \(error)")
                XCTAssertTrue(failure?.message.contains("2-component") ?? false, "\(label): \(error)")
            }
        }
        assertUnsupported("header") { _ = try bytes.withUnsafeBytes { try ImageHeader.read($0) } }
        assertUnsupported("validate") { _ = try bytes.withUnsafeBytes { try JPEGCodec.validate($0) } }
        assertUnsupported("decode") { _ = try JPEGCodec.decode(bytes) }
        assertUnsupported("scaled decode") { _ = try JPEGCodec.decode(bytes, scaleNumerator: 4, fast: true) }
    }

    func testGreyJPEGDecodesToRGB() throws {
        let bytes = try ImageFixtures.bytes("grey_16x16.jpg")
        XCTAssertEqual(try bytes.withUnsafeBytes { try ImageHeader.read($0) }, ImageHeader(format: .jpeg, width: 16, height: 16))
        XCTAssertEqual(try bytes.withUnsafeBytes { try JPEGCodec.validate($0) }.width, 16)
        let image = try JPEGCodec.decode(bytes)
        XCTAssertEqual(image.width, 16)
        XCTAssertEqual(image.height, 16)
        var distinct = Set<UInt8>()
        for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
            XCTAssertEqual(image.pixels[pixel], image.pixels[pixel + 1])
            XCTAssertEqual(image.pixels[pixel], image.pixels[pixel + 2])
            distinct.insert(image.pixels[pixel])
        }
        XCTAssertGreaterThan(distinct.count, 8, "the fixture is a gradient, not a flat image")
    }

    func testSamplesOfOtherThanEightBitsAreRefusedFromTheHeader() throws {
        var bytes = try ImageFixtures.bytes("grey_16x16.jpg")
        let frame = try XCTUnwrap(ImageFixtures.frameHeaderOffset(bytes))
        XCTAssertEqual(bytes[frame + 4], 8)
        bytes[frame + 4] = 12
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try ImageHeader.read($0) }) { error in
            // libjpeg-turbo 2.x refuses the precision itself (corrupt); 3.x reads it and the shim refuses it.
            let kind = (error as? ImageDecodeError)?.kind
            XCTAssertTrue(kind == .corrupt || kind == .unsupported, "\(error)")
            XCTAssertTrue("\(error)".contains("12"), "\(error)")
        }
    }

    /// Every scan of a progressive JPEG walks the whole image, so scans are capped (as
    /// libjpeg-turbo's TJFLAG_LIMITSCANS does) at 500.
    func testProgressiveJPEGOfMoreThan500ScansIsRefused() throws {
        let progressive = try ImageFixtures.bytes("progressive_64x48.jpg")
        XCTAssertEqual(try JPEGCodec.decode(progressive).width, 64)
        XCTAssertEqual(try progressive.withUnsafeBytes { try JPEGCodec.validate($0) }.height, 48)
        let manyScans = ImageFixtures.repeatingLastScan(progressive, times: 600)
        for (label, body) in [("decode", { _ = try JPEGCodec.decode(manyScans) }),
                              ("validate", { _ = try manyScans.withUnsafeBytes { try JPEGCodec.validate($0) } })] as [(String, () throws -> Void)] {
            XCTAssertThrowsError(try body(), label) { error in
                XCTAssertEqual((error as? ImageDecodeError)?.kind, .corrupt, "\(label): \(error)")
                XCTAssertTrue("\(error)".contains("more than 500 progressive scans"), "\(label): \(error)")
            }
        }
    }
}
