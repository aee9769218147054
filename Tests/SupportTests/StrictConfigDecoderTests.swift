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
    /// key and the value (not 'lr', whose type holds 0.5) instead of claiming the JSON is invalid.
    func testAFractionWhereAWholeNumberGoesIsNamed() {
        XCTAssertThrowsError(try decode(#"{"lr": 0.5, "sampler": "uniform", "schedule": {"steps": [3, 2.5]}, "layers": []}"#)) { error in
            let message = (error as? ToolError)?.message ?? ""
            XCTAssertEqual(message, "key 'schedule.steps[1]' = 2.5 does not fit the type of its key")
            XCTAssertEqual((error as? ToolError)?.file, "c.json")
        }
    }

    struct Sizes: Codable { var fcCount: Int; var scale: Double; var seed: UInt64; var flags: [Bool] }
    struct Model: Codable { var lr: Double; var head: Sizes }

    /// A whole number too big for its integer key (1e30 for a count), a negative seed: Foundation
    /// gives no key path for either; the message names each key path and its value, and not
    /// the numbers whose types hold them (a Double of 1e30, booleans).
    func testAWholeNumberTooBigForItsKeyIsNamedWithItsPathAndValue() {
        func refusal(_ text: String) -> String {
            do {
                _ = try StrictConfigDecoder.decode(Model.self, from: Data(text.utf8), file: "m.json")
                return "decoded"
            } catch {
                XCTAssertEqual((error as? ToolError)?.file, "m.json")
                XCTAssertEqual((error as? ToolError)?.exitCode, .dataError)
                return (error as? ToolError)?.message ?? "\(error)"
            }
        }
        XCTAssertEqual(refusal(#"{"lr": 1e30, "head": {"fcCount": 1e30, "scale": 1e30, "seed": 5, "flags": [true, false]}}"#),
                       "key 'head.fcCount' = 1e+30 does not fit the type of its key")
        XCTAssertEqual(refusal(#"{"lr": 1, "head": {"fcCount": 100000000000000000000, "scale": 2, "seed": -1, "flags": []}}"#),
                       "keys 'head.fcCount' = 100000000000000000000, 'head.seed' = -1 do not fit the types of their keys")
        XCTAssertEqual(refusal(#"{"lr": 1, "head": {"fcCount": 9223372036854775807, "scale": 2, "seed": 18446744073709551615, "flags": []}}"#),
                       "decoded")
    }

    /// Misfits among many numbers are all found, in key order, with a few decodes each (the
    /// search halves the groups that fail) rather than one rewrite of the document per number.
    func testMisfitsAmongManyNumbersAreAllNamedInKeyOrder() throws {
        struct Counts: Codable { var counts: [Int] }
        var values = (0..<1500).map(String.init)
        values[5] = "1e30"; values[700] = "-1.5"; values[1499] = "100000000000000000000"
        let input = try JSONSerialization.jsonObject(with: Data(#"{"counts": [\#(values.joined(separator: ","))]}"#.utf8))
        XCTAssertEqual(ConfigNumberMisfits.find(Counts.self, in: input),
                       ["'counts[5]' = 1e+30", "'counts[700]' = -1.5", "'counts[1499]' = 100000000000000000000"])
        XCTAssertEqual(ConfigNumberMisfits.find(Counts.self, in: try JSONSerialization.jsonObject(with: Data(#"{"counts": [1, 2]}"#.utf8))), [])
    }
}
