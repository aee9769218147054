// The convert settings that bound a folder's stored images: a record past them is a problem
// of the record (original pixels over maxPixels, stored sides outside --max-size), settings
// without them or out of range are refused, and a plan of an older lvis-prep (no maxPixels,
// no allowOutsideImages) is continued by the same command only.
@testable import SharedData
import SharedSupport
import XCTest

final class StoredImageLimitTests: XCTestCase {
    func testRecordSizesAgainstTheLimit() {
        let limit = StoredImageLimit(maxPixels: 640 * 640, maxShortSide: 480, maxLongSide: 600)
        XCTAssertNil(limit.problem(originalWidth: 640, originalHeight: 640, storedWidth: 480, storedHeight: 480))
        XCTAssertNil(limit.problem(originalWidth: 1, originalHeight: 640 * 640, storedWidth: 1, storedHeight: 600))
        XCTAssertEqual(limit.problem(originalWidth: 641, originalHeight: 640, storedWidth: 10, storedHeight: 10),
                       "original size 641x640 = 410240 pixels is over the folder's maxPixels 409600 (lvis-prep convert --max-pixels), so convert cannot have stored it")
        XCTAssertNotNil(limit.problem(originalWidth: 600, originalHeight: 600, storedWidth: 481, storedHeight: 500))
        XCTAssertNotNil(limit.problem(originalWidth: 600, originalHeight: 600, storedWidth: 300, storedHeight: 601))
        XCTAssertNil(StoredImageLimit(maxPixels: 100).problem(originalWidth: 10, originalHeight: 10, storedWidth: 10, storedHeight: 10))
    }

    private func settings(maxPixels: Int? = 1000, allowOutside: Bool? = false, short: Int? = nil, long: Int? = nil) -> ConvertSettings {
        var settings = ConvertSettings(annotations: "a.json", images: "img", split: "train", encoding: "jpeg", maxShortSide: short,
                                       maxLongSide: long, jpegQuality: 90, recordsPerShard: 8, numPieces: 1)
        settings.maxPixels = maxPixels
        settings.allowOutsideImages = allowOutside
        return settings
    }

    func testSettingsMustBoundTheImages() throws {
        XCTAssertEqual(try settings(short: 80, long: 100).checkImageLimits(file: "m.json"),
                       StoredImageLimit(maxPixels: 1000, maxShortSide: 80, maxLongSide: 100))
        for (bad, message) in [(settings(maxPixels: nil, allowOutside: nil), "made by an older lvis-prep"),
                               (settings(allowOutside: nil), "made by an older lvis-prep"),
                               (settings(maxPixels: 0), "settings.maxPixels 0 is outside 1...268435456"),
                               (settings(maxPixels: 1 << 29), "is outside 1...268435456"), (settings(short: 0), "is not positive")] {
            XCTAssertThrowsError(try bad.checkImageLimits(file: "m.json")) { error in
                XCTAssertEqual((error as? ToolError)?.file, "m.json")
                XCTAssertEqual((error as? ToolError)?.record, "settings")
                XCTAssertTrue((error as? ToolError)?.message.contains(message) == true, "\(error)")
            }
        }
    }

    func testAnOlderPlanIsContinuedByTheSameCommandOnly() throws {
        let current = settings()
        XCTAssertTrue(current.continues(current))
        XCTAssertTrue(current.continues(settings(maxPixels: nil, allowOutside: nil)))
        XCTAssertFalse(current.continues(settings(maxPixels: 2000)))
        XCTAssertFalse(current.continues(settings(allowOutside: true)))
        XCTAssertFalse(current.continues(settings(maxPixels: nil, allowOutside: nil, short: 80)))
        // Written and read back: the new keys round-trip, and a file without them decodes to nil.
        let decoded = try JSONDecoder().decode(ConvertSettings.self, from: JSONEncoder().encode(current))
        XCTAssertEqual(decoded, current)
        let older = #"{"annotations":"a.json","images":"img","split":"train","encoding":"jpeg","jpegQuality":90,"recordsPerShard":8,"numPieces":1}"#
        let old = try JSONDecoder().decode(ConvertSettings.self, from: Data(older.utf8))
        XCTAssertNil(old.maxPixels)
        XCTAssertTrue(current.continues(old))
    }
}
