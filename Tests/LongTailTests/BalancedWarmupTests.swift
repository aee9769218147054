// Category-balanced warm-up selection: 5 images per category, each containing it, distinct
// when enough exist, the list repeated when fewer, categories without images skipped,
// deterministic per seed, the reference's dataset-order variant and disjoint worker slices.
import XCTest
@testable import SharedLongTail
import SharedSupport

final class BalancedWarmupTests: XCTestCase {
    func testFivePerCategoryContainingItAndRepeatedWhenFewer() {
        var random = SeededRandom(seed: 1)
        // 20 images: class 0 in all, class 1 in images 3 and 7, class 2 in none, class 3 in 6 images.
        var images = (0..<20).map { _ in [0] }
        images[3].append(1); images[7].append(1)
        for i in [1, 4, 9, 12, 15, 18] { images[i].append(3) }
        let entries = balancedWarmupSelection(imageCategories: images, classCount: 4, random: &random)
        XCTAssertEqual(entries.count, 15)
        XCTAssertEqual(entries.map(\.classIndex), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3])
        for entry in entries { XCTAssert(images[entry.imageIndex].contains(entry.classIndex)) }
        let class1 = entries.filter { $0.classIndex == 1 }.map(\.imageIndex)
        XCTAssertEqual(Set(class1), [3, 7])
        XCTAssertEqual(class1, [class1[0], class1[1], class1[0], class1[1], class1[0]], "fewer images: the list repeats")
        XCTAssertEqual(Set(entries.filter { $0.classIndex == 0 }.map(\.imageIndex)).count, 5)
        XCTAssertEqual(Set(entries.filter { $0.classIndex == 3 }.map(\.imageIndex)).count, 5)
        XCTAssertEqual(distinctWarmupImages([WarmupEntry(classIndex: 0, imageIndex: 4), WarmupEntry(classIndex: 1, imageIndex: 2),
                                             WarmupEntry(classIndex: 1, imageIndex: 4)]), [4, 2])
    }

    func testDeterministicPerSeedAndDifferentAcrossSeeds() {
        let images = (0..<50).map { [$0 % 3] }
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5), c = SeededRandom(seed: 6)
        let first = balancedWarmupSelection(imageCategories: images, classCount: 3, random: &a)
        XCTAssertEqual(first, balancedWarmupSelection(imageCategories: images, classCount: 3, random: &b))
        XCTAssertNotEqual(first, balancedWarmupSelection(imageCategories: images, classCount: 3, random: &c))
    }

    func testDatasetOrderAndWorkerSlices() {
        var random = SeededRandom(seed: 1)
        // Class 0 in images 0..<12 (in dataset order), class 1 in images 2 and 5.
        var images = (0..<12).map { _ in [0] }
        images[2].append(1); images[5].append(1)
        let first = balancedWarmupSelection(imageCategories: images, classCount: 2, order: .firstInDatasetOrder, random: &random)
        XCTAssertEqual(first.map(\.imageIndex), [0, 1, 2, 3, 4, 2, 5, 2, 5, 2])
        let worker1 = balancedWarmupSelection(imageCategories: images, classCount: 2, order: .firstInDatasetOrder,
                                              workerIndex: 1, workerCount: 2, random: &random)
        // Reference: class 0's list repeated to 10 entries, worker 1 takes entries 5..<10; class 1's [2, 5] repeated.
        XCTAssertEqual(worker1.map(\.imageIndex), [5, 6, 7, 8, 9, 5, 2, 5, 2, 5])
        // Seeded shuffle: two workers with the same seed get disjoint images of class 0 (12 >= 10 candidates).
        var a = SeededRandom(seed: 3), b = SeededRandom(seed: 3)
        let w0 = balancedWarmupSelection(imageCategories: images, classCount: 2, workerIndex: 0, workerCount: 2, random: &a)
        let w1 = balancedWarmupSelection(imageCategories: images, classCount: 2, workerIndex: 1, workerCount: 2, random: &b)
        let class0 = { (entries: [WarmupEntry]) in Set(entries.filter { $0.classIndex == 0 }.map(\.imageIndex)) }
        XCTAssertTrue(class0(w0).isDisjoint(with: class0(w1)))
        XCTAssertEqual(class0(w0).count, 5)
    }
}
