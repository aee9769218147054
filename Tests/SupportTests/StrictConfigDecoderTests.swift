// Typed configs are decoded strictly: unknown keys, wrong types and missing keys are errors
// that name the key path and the file.
import XCTest
@testable import SharedSupport

final class StrictConfigDecoderTests: XCTestCase {
    struct Schedule: Codable, Equatable { var steps: [Int]; var warmup: Int? }
    enum Sampler: String, Codable { case uniform, rfs }
    struct Config: Codable, Equatable { var lr: Double; var sampler: Sampler; var schedule: Schedule; var layers: [Schedule] }

    func decode(_ text: String) throws -> Config {
        try StrictConfigDecoder.decode(Config.self, from: Data(text.utf8), file: "c.json")
    }

    func testValidConfigDecodes() throws {
        let config = try decode(#"{"lr": 0.02, "sampler": "rfs", "schedule": {"steps": [3, 5], "warmup": null}, "layers": []}"#)
        XCTAssertEqual(config, Config(lr: 0.02, sampler: .rfs, schedule: Schedule(steps: [3, 5], warmup: nil), layers: []))
    }

    func testUnknownNestedKeyIsNamedWithItsPath() {
        XCTAssertThrowsError(try decode(#"{"lr": 1, "sampler": "uniform", "schedule": {"steps": [], "tempearture": 2}, "layers": []}"#)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.message, "unknown key 'schedule.tempearture'")
            XCTAssertEqual(toolError?.file, "c.json")
        }
        XCTAssertThrowsError(try decode(#"{"lr": 1, "sampler": "uniform", "schedule": {"steps": []}, "layers": [{"steps": [1], "x": 1}]}"#)) { error in
            XCTAssertEqual((error as? ToolError)?.message, "unknown key 'layers[0].x'")
        }
    }

    func testWrongTypeMissingKeyAndBadEnumAreErrors() {
        XCTAssertThrowsError(try decode(#"{"lr": "fast", "sampler": "uniform", "schedule": {"steps": []}, "layers": []}"#)) { error in
            XCTAssert((error as? ToolError)?.message.contains("'lr'") == true, "\(error)")
        }
        XCTAssertThrowsError(try decode(#"{"lr": 1, "sampler": "uniform", "layers": []}"#)) { error in
            XCTAssertEqual((error as? ToolError)?.message, "missing key 'schedule'")
        }
        XCTAssertThrowsError(try decode(#"{"lr": 1, "sampler": "repeat", "schedule": {"steps": []}, "layers": []}"#)) { error in
            XCTAssert((error as? ToolError)?.message.contains("sampler") == true, "\(error)")
        }
    }

    /// Foundation gives no key path for 2.5 where a whole number goes: the message names the
    /// fractional values instead of claiming the JSON is invalid.
    func testAFractionWhereAWholeNumberGoesIsNamed() {
        XCTAssertThrowsError(try decode(#"{"lr": 0.5, "sampler": "uniform", "schedule": {"steps": [3, 2.5]}, "layers": []}"#)) { error in
            let message = (error as? ToolError)?.message ?? ""
            XCTAssertFalse(message.contains("not valid JSON"), message)
            XCTAssertTrue(message.contains("'schedule.steps[1]' = 2.5"), message)
            XCTAssertTrue(message.contains("'lr' = 0.5"), message)
        }
    }
}
