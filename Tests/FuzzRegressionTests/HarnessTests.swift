// The harness's own rules: which errors are clean refusals, the scratch file readers open,
// and how input bytes become sizes, counts and coordinates.
import Foundation
@testable import FuzzTargets
import SharedData
import SharedSupport
import XCTest

final class HarnessTests: XCTestCase {
    struct OtherError: Error {}

    func testToolErrorsNamingTheFileAreRefusalsAnythingElseIsAFinding() {
        let named = ToolError("bad", file: "/in/x.json", record: "images[0]", hint: "fix it")
        XCTAssertEqual(Refusal.classify(named, file: "/in/x.json", imageErrors: false), .refused(named.description))
        XCTAssertTrue(Refusal.classify(ToolError("bad"), file: "/in/x.json", imageErrors: false).isFinding)
        XCTAssertTrue(Refusal.classify(ToolError("bad", file: "/other"), file: "/in/x.json", imageErrors: false).isFinding)
        XCTAssertEqual(Refusal.classify(ToolError("bad"), file: nil, imageErrors: false), .refused("bad"))
        let image = ImageDecodeError(.truncated, "short")
        XCTAssertTrue(Refusal.classify(image, file: nil, imageErrors: false).isFinding)
        XCTAssertEqual(Refusal.classify(image, file: nil, imageErrors: true), .refused(image.description))
        XCTAssertTrue(Refusal.classify(OtherError(), file: nil, imageErrors: true).isFinding)
    }

    func testScratchFileHoldsExactlyTheLastInput() throws {
        let file = ScratchFile(label: "test")
        Array("a longer first input".utf8).withUnsafeBytes { file.write($0) }
        Array("short".utf8).withUnsafeBytes { file.write($0) }
        XCTAssertEqual(FileManager.default.contents(atPath: file.path), Data("short".utf8))
        [UInt8]().withUnsafeBytes { file.write($0) }
        XCTAssertEqual(FileManager.default.contents(atPath: file.path), Data())
    }

    func testInputBytesBecomeSizesVarintsAndCoordinates() {
        let bytes: [UInt8] = [0x34, 0x12, 0xFF, 0xFF, 0x96, 0x01, 0x05]
        bytes.withUnsafeBytes { raw in
            var input = FuzzBytes(raw)
            XCTAssertEqual(input.u16(), 0x1234)
            XCTAssertEqual(input.u16(), 0xFFFF)
            XCTAssertEqual(input.varint(), 150)
            XCTAssertEqual(input.u8(), 5)
            XCTAssertTrue(input.isAtEnd)
            XCTAssertEqual(input.u16(), 0, "past the end reads zeros")
        }
        [UInt8](MaskSeeds.header(height: 300, width: 7)).withUnsafeBytes { raw in
            var input = FuzzBytes(raw)
            let size = RLEInputSize.read(&input)
            XCTAssertEqual(size.height, 300 % (MaskInvariants.decodedSideLimit + 1))
            XCTAssertEqual(size.width, 7)
        }
        MaskSeeds.coordinates([[1.5, -2], [3, 4.125]]).withUnsafeBytes { raw in
            var input = FuzzBytes(raw)
            XCTAssertEqual(PolygonInput.read(&input), [[1.5, -2], [3, 4.125]])
        }
        [UInt8]([0xF0, 0x7F, 0xFE, 0x7F, 0x00, 0x80]).withUnsafeBytes { raw in
            var input = FuzzBytes(raw)
            let values = PolygonInput.read(&input)[0]
            XCTAssertEqual(values.count, 3)
            XCTAssertEqual(values[0], PolygonInput.specialValues[14])
            XCTAssertTrue(values[1].isNaN, "0x7ffe is the first special value")
            XCTAssertEqual(values[2], -4096)
        }
    }
}
