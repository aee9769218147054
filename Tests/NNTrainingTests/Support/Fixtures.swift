// Test helpers: the PyTorch fixtures (found relative to this file), closeness checks with
// absolute + relative tolerance, seeded random floats. (Gradient checks: GradientChecking.)
import XCTest
import SharedSupport
@testable import SharedNN

/// The folder of fixtures written by scripts/fixtures/make_training_fixtures.py.
func fixturePath(_ name: String, file: StaticString = #filePath) -> String {
    let here = "\(file)"
    let folder = here[..<here.lastIndex(of: "/")!]           // .../NNTrainingTests/Support
    let root = folder[..<folder.lastIndex(of: "/")!]         // .../NNTrainingTests
    return "\(root)/Fixtures/\(name)"
}

/// Loads a fixture file (fails the test if it cannot).
func loadFixture(_ name: String) throws -> SafetensorsFile {
    try SafetensorsFile.read(from: fixturePath(name), hint: "run scripts/fixtures/make_training_fixtures.py")
}

extension SafetensorsFile {
    /// The float values of `name` (fails the test if missing).
    func floats(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        guard let tensor = self[name] else {
            XCTFail("fixture tensor \(name) missing", file: file, line: line)
            throw ToolError("fixture tensor \(name) missing")
        }
        return tensor.floatValues()
    }

    func ints(_ name: String) throws -> [Int32] {
        guard let tensor = self[name] else { throw ToolError("fixture tensor \(name) missing") }
        return tensor.int64Values().map { Int32($0) }
    }

    func scalar(_ name: String) throws -> Float { try floats(name)[0] }
}

/// Asserts |a - b| <= absolute + relative * |b| elementwise (b is the reference).
func assertClose(_ a: [Float], _ b: [Float], relative: Float = 1e-4, absolute: Float = 1e-6, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): sizes differ", file: file, line: line)
    guard a.count == b.count else { return }
    var failures = 0
    for i in a.indices where !(abs(a[i] - b[i]) <= absolute + relative * abs(b[i])) {
        if failures < 5 { XCTFail("\(message) at \(i): \(a[i]) vs reference \(b[i])", file: file, line: line) }
        failures += 1
    }
    if failures >= 5 { XCTFail("\(message): \(failures) elements differ in all", file: file, line: line) }
}

func assertClose(_ a: Float, _ b: Float, relative: Float = 1e-4, absolute: Float = 1e-6, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    assertClose([a], [b], relative: relative, absolute: absolute, message, file: file, line: line)
}

/// Seeded random floats in [low, high).
func randomFloats(_ count: Int, _ random: inout SeededRandom, low: Float = -1, high: Float = 1) -> [Float] {
    (0..<count).map { _ in low + (high - low) * random.nextFloat() }
}
