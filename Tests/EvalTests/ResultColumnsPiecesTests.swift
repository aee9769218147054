// Result columns read in pieces on several threads: the same columns as the serial read
// (mask arena offsets and pending polygon rows rebased, unknown categories in order of
// first appearance once resolved), the same masks, areas and boxes, the same errors.
import Foundation
import SharedData
@testable import SharedEval
import SharedSupport
import XCTest

final class ResultColumnsPiecesTests: XCTestCase {
    /// Compressed RLEs of boxes on the 30 x 40 image, two with a backslash (escaped in JSON).
    private let masks = [#"\\?b0<00000000000000000000000000000000000Z4"#, #"`j0b0<000000000\\5"#, #"Z`0b0<000\\b0"#]

    private func result(_ i: Int) -> String {
        let head = #"{"image_id": 7, "category_id": \#([1, 2, 9, 1, 5][i % 5]), "score": 0.\#(i % 89 + 10)"#
        switch i % 4 {
        case 0: return head + #", "bbox": [\#(i % 30), 2, 3.5, 4]}"#
        case 1: return head + #", "segmentation": {"size": [30, 40], "counts": "\#(masks[i % 3])"}}"#
        case 2: return head + #", "segmentation": [[1, 2, 13, 2, 13, \#(i % 20 + 5), 1, 15]], "bbox": []}"#
        default: return head + #",\#n "segmentation": {"counts": [\#(i % 50), 20, \#(1180 - i % 50)], "size": [30, 40]}, "bbox": [1, 1, 2, 2]}"#
        }
    }

    private func assertSame(_ a: ResultColumns, _ b: ResultColumns, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        XCTAssertEqual(a.rawImageID, b.rawImageID, message, file: file, line: line)
        XCTAssertEqual(a.rawCategoryID, b.rawCategoryID, message, file: file, line: line)
        XCTAssertEqual(a.imageIndex, b.imageIndex, message, file: file, line: line)
        XCTAssertEqual(a.categoryIndex, b.categoryIndex, message, file: file, line: line)
        XCTAssertEqual(a.unknownCategoryIDs, b.unknownCategoryIDs, message, file: file, line: line)
        XCTAssertEqual(a.score, b.score, message, file: file, line: line)
        XCTAssertEqual(a.box, b.box, message, file: file, line: line)
        XCTAssertEqual(a.hasBox, b.hasBox, message, file: file, line: line)
        XCTAssertEqual(a.hasMask, b.hasMask, message, file: file, line: line)
        XCTAssertEqual(a.maskBytes, b.maskBytes, message, file: file, line: line)
        XCTAssertEqual(a.maskStart, b.maskStart, message, file: file, line: line)
        XCTAssertEqual(a.maskLength, b.maskLength, message, file: file, line: line)
        XCTAssertEqual(a.maskHeight, b.maskHeight, message, file: file, line: line)
        XCTAssertEqual(a.maskWidth, b.maskWidth, message, file: file, line: line)
        XCTAssertEqual(a.maskArea, b.maskArea, message, file: file, line: line)
        XCTAssertEqual(a.pendingMasks.map(\.index), b.pendingMasks.map(\.index), message, file: file, line: line)
        XCTAssertEqual(a.pendingMasks.map(\.segmentation), b.pendingMasks.map(\.segmentation), message, file: file, line: line)
        XCTAssertEqual(a.documentBytes, b.documentBytes, message, file: file, line: line)
    }

    func testColumnsReadInPiecesAreTheSerialReadsThroughResolveAndComplete() throws {
        let files = try EvalInputFiles("pieces")
        defer { files.remove() }
        let gtPath = try files.write("gt.json", #"{"images": [{"id": 7, "width": 40, "height": 30}], "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "annotations": [\#(EvalInputFiles.annotation(id: 1))]}"#)
        let index = GroundTruthIndex(try Dataset.load(path: gtPath))
        for count in [0, 1, 5, 301] {
            let path = try files.write("dt\(count).json", "[" + (0..<count).map(result).joined(separator: ", ") + "]")
            let serial = try ResultColumns.read(path: path)
            XCTAssertEqual(serial.count, count)
            for threads in [2, 3, 8] {
                var pieces = try ResultColumns.read(path: path, parallelism: Parallelism(threads: threads), minimumPieceBytes: 64)
                assertSame(pieces, serial, "\(count) results, \(threads) threads, as read")
                try pieces.resolve(groundTruth: index, path: path)
                try pieces.complete(groundTruth: index, parallelism: .serial, path: path)
                var resolved = serial
                try resolved.resolve(groundTruth: index, path: path)
                try resolved.complete(groundTruth: index, parallelism: .serial, path: path)
                assertSame(pieces, resolved, "\(count) results, \(threads) threads, resolved")
                if count > 10 { XCTAssertEqual(pieces.unknownCategoryIDs, [9, 5]) }
                for i in 0..<pieces.count where pieces.hasMask[i] {
                    XCTAssertEqual(pieces.mask(i, height: 30, width: 40), resolved.mask(i, height: 30, width: 40))
                }
            }
        }
    }

    /// A bad result late in the file, and one early: the serial read's error.
    func testErrorsAreTheSerialReads() throws {
        let files = try EvalInputFiles("pieces-errors")
        defer { files.remove() }
        for bad in [3, 250] {
            var records = (0..<300).map(result)
            records[bad] = #"{"image_id": 7, "category_id": 1, "score": 0.5, "segmentation": {"counts": "abc"}}"#
            let path = try files.write("dt\(bad).json", "[" + records.joined(separator: ",\n") + "]")
            var expected: ToolError?
            XCTAssertThrowsError(try ResultColumns.read(path: path)) { expected = $0 as? ToolError }
            XCTAssertTrue(expected?.record?.hasPrefix("results[\(bad)] (line ") ?? false, "\(String(describing: expected))")
            for threads in [2, 3, 8] {
                XCTAssertThrowsError(try ResultColumns.read(path: path, parallelism: Parallelism(threads: threads), minimumPieceBytes: 64)) {
                    XCTAssertEqual($0 as? ToolError, expected, "bad \(bad), \(threads) threads")
                }
            }
        }
    }
}
