// RLEs whose runs do not cover the image (counts not adding up to height * width): read
// from a segmentation they are an error naming the sums; handed to the run walks directly
// (IoU, merge) they end instead of spinning. Valid RLEs with empty runs walk as before.
import Dispatch
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class RunCoverageTests: XCTestCase {
    // MARK: Reading a segmentation

    /// The audit's cases on a 426 x 640 image (272640 pixels).
    func testSegmentationWhoseRunsDoNotCoverTheImageIsAnError() {
        let cases: [(String, Segmentation)] = [
            ("too many pixels", .uncompressedRLE(height: 426, width: 640, counts: [1000, 272640])),
            ("too few pixels", .uncompressedRLE(height: 426, width: 640, counts: [1000, 2000])),
            ("no counts", .uncompressedRLE(height: 426, width: 640, counts: [])),
            ("negative count string", .compressedRLE(height: 426, width: 640, counts: Array("zz~~~~~!!".utf8))),
            ("short string", .compressedRLE(height: 426, width: 640, counts: Array("zz".utf8))),
            ("empty string", .compressedRLE(height: 426, width: 640, counts: [])),
        ]
        for (name, segmentation) in cases {
            XCTAssertThrowsError(try RLE(segmentation: segmentation, height: 426, width: 640), name) { error in
                let toolError = error as? ToolError
                XCTAssertEqual(toolError?.exitCode, .dataError, name)
                XCTAssert(toolError?.message.contains("must add up to height*width = 426*640 = 272640") == true,
                          "\(name): \(String(describing: toolError))")
            }
        }
        XCTAssertThrowsError(try RLE(segmentation: .uncompressedRLE(height: 426, width: 640, counts: [1000, 272640]),
                                     height: 426, width: 640)) { error in
            XCTAssert((error as? ToolError)?.message.hasPrefix("mask run lengths add up to 273640 pixels") == true, "\(error)")
        }
    }

    func testSegmentationWhoseRunsCoverTheImageIsRead() throws {
        let uncompressed = try RLE(segmentation: .uncompressedRLE(height: 426, width: 640, counts: [1000, 271640]),
                                   height: 426, width: 640)
        XCTAssertEqual(uncompressed.area, 271640)
        // Empty runs are allowed anywhere as long as the total is right.
        let withEmptyRuns = try RLE(segmentation: .uncompressedRLE(height: 4, width: 5, counts: [0, 3, 0, 0, 17]),
                                    height: 4, width: 5)
        XCTAssertEqual(withEmptyRuns.area, 3)
        let compressed = RLE(height: 426, width: 640, counts: [1000, 200, 271440]).compressedBytes
        XCTAssertEqual(try RLE(segmentation: .compressedRLE(height: 426, width: 640, counts: compressed), height: 426, width: 640).area, 200)
    }

    func testCoverageKernel() {
        [UInt32]([2, 0, 3, 15]).withUnsafeBufferPointer { counts in
            XCTAssertEqual(RunLengthKernels.pixelCount(counts), 20)
            XCTAssertTrue(RunLengthKernels.coversImage(counts, height: 4, width: 5))
            XCTAssertFalse(RunLengthKernels.coversImage(counts, height: 4, width: 6))
        }
        // No 32-bit wrap-around: 2^32 + 4 pixels is not 4.
        [UInt32]([UInt32.max, 5]).withUnsafeBufferPointer { counts in
            XCTAssertEqual(RunLengthKernels.pixelCount(counts), UInt64(UInt32.max) + 5)
            XCTAssertFalse(RunLengthKernels.coversImage(counts, height: 2, width: 2))
        }
    }

    // MARK: The run walks on lists of different totals

    /// Runs `work` on another thread and returns its value, or fails and returns nil if it
    /// has not returned within `seconds` (before the fix these walks spun forever).
    private func finishing<Value>(_ name: String, seconds: Double = 10, _ work: @escaping @Sendable () -> Value) -> Value? {
        let done = expectation(description: name)
        let box = ResultBox<Value>()
        DispatchQueue.global().async {
            box.value = work()
            done.fulfill()
        }
        wait(for: [done], timeout: seconds)
        return box.value
    }

    /// (a, b) pairs whose totals differ, with an empty run where the walk used to stall.
    private static let mismatchedPairs: [([UInt32], [UInt32])] = [
        ([1000, 272640], [272640]),        // the audit's result against a background mask
        ([1000, 272640], [500, 1000, 271140]),
        ([5], [10]),
        ([0, 5], [2, 0, 0, 3, 5]),
        ([], [0, 5]),
        ([3, 0], [3, 4]),
    ]

    func testIoUWalkEndsWhenOneListRunsOut() {
        for (a, b) in Self.mismatchedPairs {
            for (first, second) in [(a, b), (b, a)] {
                let iou = finishing("iou \(first) \(second)") {
                    first.withUnsafeBufferPointer { pa in
                        second.withUnsafeBufferPointer { pb in RunLengthKernels.iou(pa, pb, crowd: false, detectionArea: 0) }
                    }
                }
                XCTAssert(iou.map { $0 >= 0 && $0 <= 1 } == true, "iou \(first) \(second) = \(String(describing: iou))")
            }
        }
    }

    func testMergeWalkEndsWhenOneListRunsOut() {
        func total(_ counts: [UInt32]) -> UInt64 { counts.reduce(0) { $0 + UInt64($1) } }
        for (a, b) in Self.mismatchedPairs {
            for intersect in [false, true] {
                let name = "merge \(a) \(b) intersect=\(intersect)"
                let merged = finishing(name) {
                    RLE.merge([RLE(height: 1, width: 1, counts: a), RLE(height: 1, width: 1, counts: b)], intersect: intersect)
                }
                // The walk covers the pixels both lists describe, no more.
                XCTAssertEqual(merged.map { total($0.counts) }, min(total(a), total(b)), "\(name) gave \(String(describing: merged?.counts))")
            }
        }
    }

    // MARK: Valid lists with empty runs: unchanged results

    /// Counts of `mask` with empty runs inserted at random places (same pixels, same total).
    private func countsWithEmptyRuns(_ mask: [UInt8], _ random: inout SeededRandom) -> [UInt32] {
        var counts: [UInt32] = []
        for run in RLE(columnMajorMask: mask, height: mask.count, width: 1).counts {
            counts.append(run)
            if random.nextInt(below: 3) == 0 { counts.append(contentsOf: [0, 0]) }  // two empty runs keep the parity
        }
        if random.nextInt(below: 4) == 0 { counts.append(0) }
        return counts
    }

    /// The guard only acts on lists of different totals: on valid lists, empty runs
    /// included, IoU and merge give exactly what maskApi.c's unguarded loops give (which,
    /// like pycocotools, end early when both lists meet an empty run at once).
    func testGuardLeavesWalksOfValidListsWithEmptyRunsUnchanged() {
        var random = SeededRandom(seed: 21)
        for trial in 0..<500 {
            let pixels = 1 + random.nextInt(below: 60)
            let a = (0..<pixels).map { _ in UInt8(random.nextInt(below: 2)) }
            let b = (0..<pixels).map { _ in UInt8(random.nextInt(below: 3) == 0 ? 1 : 0) }
            let ca = countsWithEmptyRuns(a, &random), cb = countsWithEmptyRuns(b, &random)
            for crowd in [false, true] {
                let iou = ca.withUnsafeBufferPointer { pa in
                    cb.withUnsafeBufferPointer { pb in RunLengthKernels.iou(pa, pb, crowd: crowd, detectionArea: RunLengthKernels.area(pa)) }
                }
                XCTAssertEqual(iou, MaskApiReference.iou(ca, cb, crowd: crowd), "trial \(trial): iou \(ca) \(cb)")
            }
            let ra = RLE(height: pixels, width: 1, counts: ca), rb = RLE(height: pixels, width: 1, counts: cb)
            for intersect in [false, true] {
                XCTAssertEqual(RLE.merge([ra, rb], intersect: intersect).counts, MaskApiReference.merge(ca, cb, intersect: intersect),
                               "trial \(trial): merge intersect=\(intersect) \(ca) \(cb)")
            }
        }
    }
}

/// maskApi.c's rleIou and rleMerge loops transcribed without the guard (valid input only).
private enum MaskApiReference {
    static func iou(_ a: [UInt32], _ b: [UInt32], crowd: Bool) -> Double {
        var ca = a.first ?? 0, cb = b.first ?? 0, va = false, vb = false, ia = 1, ib = 1
        var intersection: UInt32 = 0, union: UInt32 = 0, ct: UInt32 = 1
        while ct > 0 {
            let c = min(ca, cb)
            if va || vb { union += c; if va && vb { intersection += c } }
            ct = 0
            ca -= c; if ca == 0 && ia < a.count { ca = a[ia]; ia += 1; va.toggle() }; ct += ca
            cb -= c; if cb == 0 && ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }; ct += cb
        }
        var area: UInt32 = 0
        for j in stride(from: 1, to: a.count, by: 2) { area += a[j] }
        if intersection == 0 { union = 1 } else if crowd { union = area }
        return Double(intersection) / Double(union)
    }

    static func merge(_ a: [UInt32], _ b: [UInt32], intersect: Bool) -> [UInt32] {
        var ca = a.first ?? 0, cb = b.first ?? 0, va = false, vb = false, v = false, ia = 1, ib = 1
        var cc: UInt32 = 0, ct: UInt32 = 1, output: [UInt32] = []
        while ct > 0 {
            let c = min(ca, cb)
            cc += c
            ct = 0
            ca -= c; if ca == 0 && ia < a.count { ca = a[ia]; ia += 1; va.toggle() }; ct += ca
            cb -= c; if cb == 0 && ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }; ct += cb
            let previous = v
            v = intersect ? (va && vb) : (va || vb)
            if v != previous || ct == 0 { output.append(cc); cc = 0 }
        }
        return output
    }
}

/// A value handed from the worker thread to the test (the expectation orders the accesses).
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}
