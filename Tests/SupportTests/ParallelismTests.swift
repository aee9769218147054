// Parallel loops cover every index exactly once, with any thread count.
import XCTest
@testable import SharedSupport

final class ParallelismTests: XCTestCase {
    func testEveryIndexVisitedExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            for count in [0, 1, 2, 7, 100, 1001] {
                let parallel = Parallelism(threads: threads)
                let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
                visits.initialize(repeating: 0)
                defer { visits.deallocate() }
                parallel.forEach(count) { visits[$0] += 1 }
                XCTAssertEqual(Array(visits.prefix(count)), [Int](repeating: 1, count: count), "threads \(threads) count \(count)")
                visits.initialize(repeating: 0)
                parallel.forEachDynamic(count) { visits[$0] += 1 }
                XCTAssertEqual(Array(visits.prefix(count)), [Int](repeating: 1, count: count), "dynamic threads \(threads) count \(count)")
            }
        }
    }

    func testMapReturnsResultsInIndexOrder() {
        for threads in [1, 2, 3, 8] {
            for count in [0, 1, 2, 7, 100] {
                let results = Parallelism(threads: threads).map(count) { "\($0):\($0 * $0)" }
                XCTAssertEqual(results, (0..<count).map { "\($0):\($0 * $0)" }, "threads \(threads) count \(count)")
            }
        }
    }

    func testChunksAreContiguousAndRespectMinimumChunk() {
        let parallel = Parallelism(threads: 4)
        let lock = NSLock()
        var ranges: [Range<Int>] = []
        parallel.forEachChunk(10, minimumChunk: 5) { range in
            lock.lock(); ranges.append(range); lock.unlock()
        }
        XCTAssertEqual(ranges.count, 2)
        XCTAssertEqual(ranges.sorted { $0.lowerBound < $1.lowerBound }, [0..<5, 5..<10])
    }

    func testAvailableCoresIsPositive() {
        XCTAssertGreaterThanOrEqual(availableCores(), 1)
    }
}
