// Feature memory: per-class circular queues with wrap-around, the 80 cap, oldest-first
// order, targets stored with features, exact save/restore, and the size computed from the
// configuration (LVIS v1 at 256 x 7 x 7: about 4.5 GiB).
import XCTest
@testable import SharedLongTail
import SharedDetection

final class FeatureMemoryTests: XCTestCase {
    func feature(_ value: Float, size: Int = 3) -> [Float] { (0..<size).map { value + Float($0) / 10 } }

    func testWrapAroundAndCap() {
        var memory = FeatureMemory(classCount: 3, capacity: 80, featureSize: 3)
        for i in 0..<100 { memory.push(classIndex: 1, feature: feature(Float(i)), target: BoxDelta(dx: Float(i), dy: 0, dw: 0, dh: 0)) }
        for i in 0..<5 { memory.push(classIndex: 2, feature: feature(Float(1000 + i)), target: .zero) }
        XCTAssertEqual(memory.counts, [0, 80, 5])
        XCTAssertEqual(memory.heads, [0, 20, 5])
        // Slot k of class 1 holds push 80 + k for k < 20 (overwritten) and push k otherwise.
        for slot in 0..<80 {
            let expected = slot < 20 ? 80 + slot : slot
            XCTAssertEqual(Array(memory.feature(classIndex: 1, slot: slot)), feature(Float(expected)))
            XCTAssertEqual(memory.target(classIndex: 1, slot: slot).dx, Float(expected))
        }
        XCTAssertEqual(memory.slotsOldestFirst(classIndex: 1).map { memory.target(classIndex: 1, slot: $0).dx }, (20..<100).map(Float.init))
        XCTAssertEqual(memory.slotsOldestFirst(classIndex: 2), [0, 1, 2, 3, 4])
        XCTAssertEqual(memory.slotsOldestFirst(classIndex: 0), [])
        // Class 0 untouched.
        XCTAssertEqual(memory.features[0..<(80 * 3)].allSatisfy { $0 == 0 }, true)
    }

    func testExactRestoreAndRejectedInconsistentBuffers() throws {
        var memory = FeatureMemory(classCount: 2, capacity: 4, featureSize: 2)
        for i in 0..<6 { memory.push(classIndex: i % 2, feature: [Float(i), -Float(i)], target: BoxDelta(dx: 1, dy: 2, dw: 3, dh: Float(i))) }
        let restored = try FeatureMemory(classCount: 2, capacity: 4, featureSize: 2, features: memory.features,
                                         targets: memory.targets, heads: memory.heads, counts: memory.counts)
        XCTAssertEqual(restored, memory)
        var a = memory, b = restored
        a.push(classIndex: 0, feature: [9, 9], target: .zero); b.push(classIndex: 0, feature: [9, 9], target: .zero)
        XCTAssertEqual(a, b)
        XCTAssertThrowsError(try FeatureMemory(classCount: 2, capacity: 4, featureSize: 2, features: [], targets: memory.targets,
                                               heads: memory.heads, counts: memory.counts))
        XCTAssertThrowsError(try FeatureMemory(classCount: 2, capacity: 4, featureSize: 2, features: memory.features,
                                               targets: memory.targets, heads: [1, 0], counts: [3, 3]))
    }

    func testSizeFromConfiguration() {
        let lvis = FeatureMemory.byteCount(classCount: 1203, capacity: 80, featureSize: 256 * 7 * 7)
        XCTAssertEqual(lvis, 1203 * 80 * (12544 + 4) * 4)
        XCTAssertEqual(Double(lvis) / Double(1 << 30), 4.5, accuracy: 0.05)
        let small = FeatureMemory(classCount: 5, capacity: 80, featureSize: 64 * 7 * 7)
        XCTAssertEqual((small.features.count + small.targets.count) * 4, FeatureMemory.byteCount(classCount: 5, featureSize: 64 * 7 * 7))
    }

    func testGatherStacksSampledFeaturesLabelsAndTargets() {
        var memory = FeatureMemory(classCount: 3, capacity: 4, featureSize: 2)
        for i in 0..<6 { memory.push(classIndex: i % 3, feature: [Float(i), Float(10 * i)], target: BoxDelta(dx: Float(i), dy: 0, dw: 0, dh: 0)) }
        let gathered = memory.gather([MemorySample(classIndex: 2, slot: 1), MemorySample(classIndex: 0, slot: 0), MemorySample(classIndex: 2, slot: 1)])
        // Class 2 holds pushes 2 and 5 (slots 0, 1); class 0 holds pushes 0 and 3.
        XCTAssertEqual(gathered.features, [5, 50, 0, 0, 5, 50])
        XCTAssertEqual(gathered.labels, [2, 0, 2])
        XCTAssertEqual(gathered.targets.map(\.dx), [5, 0, 5])
        XCTAssertEqual(memory.gather([]).features, [])
    }
}
