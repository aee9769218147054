// Pairwise intersection-over-union of two box lists: the fast row-parallel kernel used by
// matching, and a naive reference kept beside it for tests.
//
// Legend: N = rows (e.g. anchors or proposals), M = columns (e.g. ground-truth boxes).
// Convention (torchvision `box_iou`, mmdetection v2 `bbox_overlaps`): areas without +1;
// iou = inter / union with union clamped to >= 1e-6 (mmdetection's eps) so two empty
// boxes give 0, not NaN.
import SharedSupport

/// A dense N x M matrix of IoU values, row-major: `values[i * columns + j]` = IoU(a[i], b[j]).
public struct IoUMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]  // [rows * columns]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "IoU matrix needs rows * columns values")
        self.rows = rows; self.columns = columns; self.values = values
    }

    @inlinable public subscript(row: Int, column: Int) -> Float { values[row * columns + column] }
}

/// The smallest union an IoU divides by (mmdetection v2 `bbox_overlaps` eps).
public let iouUnionEpsilon: Float = 1e-6

/// IoU of two boxes.
@inlinable public func intersectionOverUnion(_ a: Box, _ b: Box) -> Float {
    let w = Swift.max(0, Swift.min(a.x2, b.x2) - Swift.max(a.x1, b.x1))
    let h = Swift.max(0, Swift.min(a.y2, b.y2) - Swift.max(a.y1, b.y1))
    let inter = w * h
    return inter / Swift.max(a.area + b.area - inter, iouUnionEpsilon)
}

/// IoU of every box of `a` (N) with every box of `b` (M), as an N x M matrix. Rows are
/// split across `parallelism.threads` when N x M is large.
public func pairwiseIoU(_ a: [Box], _ b: [Box], parallelism: Parallelism = .serial) -> IoUMatrix {
    let n = a.count, m = b.count
    guard n > 0, m > 0 else { return IoUMatrix(rows: n, columns: m, values: []) }
    // Columns as separate coordinate arrays so the inner loop is a straight, vectorisable pass.
    let bx1 = b.map(\.x1), by1 = b.map(\.y1), bx2 = b.map(\.x2), by2 = b.map(\.y2), areaB = b.map(\.area)
    // Rows per chunk so that one chunk is ~64k IoUs: small problems stay on one thread.
    let minimumRows = Swift.max(1, 65_536 / m)
    let values = [Float](unsafeUninitializedCapacity: n * m) { out, initialized in
        let outBase = out.baseAddress!
        a.withUnsafeBufferPointer { pa in
            bx1.withUnsafeBufferPointer { x1 in by1.withUnsafeBufferPointer { y1 in
            bx2.withUnsafeBufferPointer { x2 in by2.withUnsafeBufferPointer { y2 in
            areaB.withUnsafeBufferPointer { areas in
                parallelism.forEachChunk(n, minimumChunk: minimumRows) { rows in
                    for i in rows {
                        let box = pa[i], areaA = box.area
                        let row = outBase + i * m
                        for j in 0..<m {
                            let w = Swift.max(0, Swift.min(box.x2, x2[j]) - Swift.max(box.x1, x1[j]))
                            let h = Swift.max(0, Swift.min(box.y2, y2[j]) - Swift.max(box.y1, y1[j]))
                            let inter = w * h
                            row[j] = inter / Swift.max(areaA + areas[j] - inter, iouUnionEpsilon)
                        }
                    }
                }
            } } } } }
        }
        initialized = n * m
    }
    return IoUMatrix(rows: n, columns: m, values: values)
}

/// Naive reference of `pairwiseIoU`: one `intersectionOverUnion` call per pair.
public func pairwiseIoUNaive(_ a: [Box], _ b: [Box]) -> IoUMatrix {
    var values: [Float] = []
    values.reserveCapacity(a.count * b.count)
    for box in a { for other in b { values.append(intersectionOverUnion(box, other)) } }
    return IoUMatrix(rows: a.count, columns: b.count, values: values)
}
