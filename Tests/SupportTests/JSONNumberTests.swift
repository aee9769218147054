// Number parsing: every double must equal Python's `json` (correctly rounded). The oracle
// is Swift's `Double(String)` (strtod, correctly rounded) and hand-checked Python values.
import SharedSupport
import XCTest

final class JSONNumberTests: XCTestCase {
    private func parse(_ text: String) throws -> Double {
        try withReader(text) { try $0.readDouble() }
    }

    /// Values printed by Python 3.11: `repr(json.loads(text))`.
    func testKnownPythonValues() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("-0", 0), ("0.1", 0.1), ("1e23", 1e23), ("123.456", 123.456),
            ("9007199254740993", 9007199254740992), ("2.2250738585072011e-308", 2.225073858507201e-308),
            ("4.9e-324", 5e-324), ("1e-400", 0), ("17976931348623157e292", 1.7976931348623157e308),
            ("0.30000000000000004", 0.30000000000000004), ("12345678901234567890123", 1.2345678901234568e22),
            ("3.14159265358979323846264338327950288", 3.141592653589793), ("1E+2", 100), ("1e-7", 1e-07),
            ("0.000001234567890123456789", 1.2345678901234567e-06),
        ]
        for (text, expected) in cases {
            let value = try parse(text)
            XCTAssertEqual(value.bitPattern, expected.bitPattern, "\(text) gave \(value), Python gives \(expected)")
        }
        XCTAssertEqual(try parse("-0.0").bitPattern, (-0.0).bitPattern)  // Python: -0.0
        XCTAssertEqual(try parse("-0").bitPattern, (0.0).bitPattern)  // Python: the int 0
        XCTAssertEqual(try parse("1e400"), .infinity)
        XCTAssertEqual(try parse("-1e400"), -.infinity)
        XCTAssertEqual(try parse("Infinity"), .infinity)
        XCTAssertEqual(try parse("-Infinity"), -.infinity)
        XCTAssertTrue(try parse("NaN").isNaN)
    }

    /// The committed Python fixture (scripts/fixtures/make_json_number_fixtures.py): hard
    /// cases (halfway points, subnormals, overflow, long mantissas, float32 scores).
    func testPythonFixtureValues() throws {
        XCTAssertGreaterThan(pythonNumberFixtures.count, 400)
        let document = "[" + pythonNumberFixtures.map(\.text).joined(separator: ",") + "]"
        try withReader(document) { reader in
            try reader.beginArray()
            for (text, bits) in pythonNumberFixtures {
                XCTAssertTrue(try reader.nextElement())
                let value = try reader.readDouble()
                XCTAssertEqual(value.bitPattern, bits, "\(text): got \(value), Python gives \(Double(bitPattern: bits))")
            }
            XCTAssertFalse(try reader.nextElement())
        }
    }

    /// Random literals of every shape against the correctly rounded oracle.
    func testRandomLiteralsMatchCorrectlyRoundedParsing() throws {
        var random = SeededRandom(seed: 42)
        var texts: [String] = []
        for _ in 0..<20_000 {
            var text = random.nextInt(below: 4) == 0 ? "-" : ""
            let integerDigits = 1 + random.nextInt(below: 22)
            for index in 0..<integerDigits {
                let digit = random.nextInt(below: 10)
                if index == 0 && integerDigits > 1 && digit == 0 { text += "1" } else { text += String(digit) }
            }
            if random.nextInt(below: 3) != 0 {
                text += "."
                for _ in 0..<(1 + random.nextInt(below: 20)) { text += String(random.nextInt(below: 10)) }
            }
            if random.nextInt(below: 3) == 0 {
                text += ["e", "E", "e-", "e+"][random.nextInt(below: 4)] + String(random.nextInt(below: 330))
            }
            texts.append(text)
        }
        let document = "[" + texts.joined(separator: ",") + "]"
        try withReader(document) { reader in
            try reader.beginArray()
            var index = 0
            while try reader.nextElement() {
                let value = try reader.readDouble()
                let expected = try XCTUnwrap(Double(texts[index]), texts[index])
                // Python turns "-0" style integers into the int 0 (positive zero).
                let isNegativeIntegerZero = expected == 0 && !texts[index].contains(where: { ".eE".contains($0) })
                XCTAssertEqual(value.bitPattern, isNegativeIntegerZero ? 0 : expected.bitPattern, texts[index])
                index += 1
            }
            XCTAssertEqual(index, texts.count)
        }
    }

    func testShortestRoundTripNumbersRoundTrip() throws {
        var random = SeededRandom(seed: 7)
        for _ in 0..<5_000 {
            let value = Double(bitPattern: UInt64(truncatingIfNeeded: random.nextInt(below: Int.max)) << 1)
            guard value.isFinite else { continue }
            XCTAssertEqual(try parse(value.description).bitPattern, value.bitPattern, value.description)
        }
    }
}
