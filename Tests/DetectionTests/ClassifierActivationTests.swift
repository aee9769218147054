// Box-classifier score activations (`ClassifierActivation`) against their formulas in Double:
// softmax, sigmoid, sigmoid with the background as objectness (EQLv2/ECM) and Seesaw's C + 2
// layout; always N x (C + 1) scores, background last.
import XCTest
import Foundation
@testable import SharedDetection

final class ClassifierActivationTests: XCTestCase {
    let c = 3

    func scores(_ activation: ClassifierActivation, _ logits: [Double]) -> [Double] {
        let floats = logits.map(Float.init)
        XCTAssertEqual(floats.count % activation.logitColumns(classCount: c), 0)
        let rows = floats.count / activation.logitColumns(classCount: c)
        return floats.withUnsafeBufferPointer { activation.scores($0.baseAddress!, rows: rows, classCount: c) }.map(Double.init)
    }

    func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, file: file, line: line) }
    }

    func σ(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    func testEachActivationIsItsFormula() {
        let z = [0.5, -1.0, 2.0, 0.25]
        let e = z.map(exp), total = e.reduce(0, +)
        assertClose(scores(.softmax, z), e.map { $0 / total })
        assertClose(scores(.sigmoid, z), z.map(σ))
        let foreground = 1 - σ(z[3])
        assertClose(scores(.sigmoidObjectness, z), z[0..<3].map { σ($0) * foreground } + [σ(z[3])])
        // Seesaw: 3 class logits, then [foreground, background].
        let seesaw = [0.5, -1.0, 2.0, 1.5, -0.5]
        let ce = seesaw[0..<3].map(exp), classTotal = ce.reduce(0, +)
        let pFG = exp(1.5) / (exp(1.5) + exp(-0.5))
        XCTAssertEqual(ClassifierActivation.seesawObjectness.logitColumns(classCount: c), 5)
        assertClose(scores(.seesawObjectness, seesaw + seesaw.reversed()),
                    ce.map { $0 / classTotal * pFG } + [1 - pFG]
                    + { let r = Array(seesaw.reversed()); let x = r[0..<3].map(exp), t = x.reduce(0, +)
                        let p = exp(r[3]) / (exp(r[3]) + exp(r[4])); return x.map { $0 / t * p } + [1 - p] }())
    }
}
