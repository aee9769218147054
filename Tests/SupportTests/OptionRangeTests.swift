// Integer options outside their documented range (Int.max included) are usage errors that
// name the option, the bound and the value.
import XCTest
@testable import SharedSupport

final class OptionRangeTests: XCTestCase {
    private func message(_ range: OptionRange, _ value: Int?) -> String? {
        do { try range.check(value, option: "--batch"); return nil } catch { return "\(error)" }
    }

    func testValuesOutsideTheRangeAreRefusedWithTheBound() {
        let range = OptionRange(1...1024)
        XCTAssertEqual(range.description, "1-1024")
        XCTAssertNil(message(range, 1))
        XCTAssertNil(message(range, 1024))
        XCTAssertNil(message(range, nil))
        XCTAssertEqual(message(range, 0), "--batch must be at least 1 (got 0)")
        XCTAssertEqual(message(range, Int.max), "--batch must be at most 1024 (got 9223372036854775807)")
        XCTAssertEqual(message(range, Int.min), "--batch must be at least 1 (got -9223372036854775808)")
    }

    func testThreadsHaveARange() throws {
        XCTAssertThrowsError(try RuntimeOptions.parse(["--threads", "\(Int.max)"]))
        XCTAssertThrowsError(try RuntimeOptions.parse(["--threads", "0"]))
        XCTAssertEqual(try RuntimeOptions.parse(["--threads", "1024"]).threads, 1024)
    }
}
