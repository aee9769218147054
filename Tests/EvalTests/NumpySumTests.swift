// numpy's pairwise float64 mean, against values printed by numpy 2.x (`np.mean`), where a
// plain left-to-right sum gives a different last bit.
import SharedEval
import XCTest

final class NumpySumTests: XCTestCase {
    func testMeanOfTenTenthsIsNumpysNotTheNaiveSum() {
        let values = [Double](repeating: 0.1, count: 10)
        XCTAssertEqual(numpyMean(values), 0.1)
        XCTAssertEqual(values.reduce(0, +) / 10, 0.09999999999999999, "the naive sum differs: the test has teeth")
    }

    func testMeanOfALongArrayUsesPairwiseBlocks() {
        let values = (0..<1000).map { Double($0) * 0.37 }.enumerated().map { i, v in v.truncatingRemainder(dividingBy: 1.0) + 1e-3 * Double(i) }
        XCTAssertEqual(numpyMean(values), 0.9944999999999975)
        XCTAssertNotEqual(values.reduce(0, +) / 1000, 0.9944999999999975)
    }

    func testShortArraysAddLeftToRight() {
        let values = [1.0 / 3, 2.0 / 3, 0.1, 0.7, 0.2, 0.9, 0.11, 0.13, 0.17, 0.19, 0.23]
        XCTAssertEqual(numpyMean(values), 0.33909090909090905)
    }

    func testLinspaceMatchesNumpy() {
        let thresholds = numpyLinspace(0.5, 0.95, count: 10)
        XCTAssertEqual(thresholds[8], 0.8999999999999999)
        XCTAssertEqual(thresholds[9], 0.95)
        let recall = numpyLinspace(0, 1, count: 101)
        // i * 0.01, not i / 100: they differ at 35, 41, 47, ...
        XCTAssertEqual(recall[35], 35 * 0.01)
        XCTAssertNotEqual(recall[35], 0.35)
    }
}
