// The MFS box generator (docs/method.md §Box jitter): 16 jittered boxes per GT box, one per
// sign pattern.
//
//   variant v in 0..<16 has sign sigma_j = +1 if bit (3 - j) of v is set, else -1, for the
//   coordinates j = 0..3 = (x1, y1, x2, y2) (x1 is the most significant bit: the reference's
//   offset matrix order, variants 0..7 move x1 left, 8..15 right); coordinate j moves by
//   sigma_j * u * w * f (x) or sigma_j * u * h * f (y), f = loce.memory.jitterFraction
//   (1/6), u ~ U[0, 1) drawn per GT, variant and
//   coordinate, in that loop order (GT, then variant, then x1, y1, x2, y2); the box is
//   clipped to the image, x in [0, W], y in [0, H].
// Differences from the reference implementation (fcjian/LOCE `MFS.bbox_generator`): it
// draws one 4 x 16 matrix of u per image, shared by all GTs of the image (docs/method.md
// §Box jitter, which we follow, draws per GT), and clips to [0, W - 1] x [0, H - 1] (a
// v1-style -1 we drop).
// No IoU filter: the worst case (both sides of both axes shrink by ~1/6) has IoU 4/9 ~ 0.444
// with a GT inside the image; clipping only removes area outside the GT.
// Each box keeps its GT's class and gets the box head's regression target toward its GT.
import SharedSupport
import SharedDetection

/// One jittered box: which GT it came from, its sign pattern, the box and its target.
public struct JitteredBox: Hashable, Sendable {
    public var groundTruthIndex: Int
    /// The variant 0..<16; bit (3 - j) set means coordinate j (x1, y1, x2, y2) moved in the + direction.
    public var signPattern: Int
    public var box: Box
    /// Regression target of `box` toward its GT (the box head's coder).
    public var target: BoxDelta
}

/// The number of jittered boxes per GT box.
public let jitterVariantsPerBox = 16

/// 16 jittered boxes per GT box, GT-major, variants in order; a side moves by at most
/// `fraction` of the box's width or height.
public func jitterBoxes(_ groundTruth: [Box], imageSize: ImageSize, fraction: Double = 1.0 / 6, coder: DeltaXYWHBoxCoder = .rcnn,
                        random: inout SeededRandom) -> [JitteredBox] {
    var result: [JitteredBox] = []
    result.reserveCapacity(groundTruth.count * jitterVariantsPerBox)
    // The side is divided by 1/f, as the reference divides by 6: for f = 1/6 the divisor is
    // exactly 6, so the steps are the reference's to the bit.
    let divisor = Float(1 / fraction)
    for (index, gt) in groundTruth.enumerated() {
        let stepX = gt.width / divisor, stepY = gt.height / divisor
        for variant in 0..<jitterVariantsPerBox {
            func sign(_ j: Int) -> Float { (variant >> (3 - j)) & 1 == 1 ? 1 : -1 }
            let x1 = gt.x1 + sign(0) * random.nextFloat() * stepX
            let y1 = gt.y1 + sign(1) * random.nextFloat() * stepY
            let x2 = gt.x2 + sign(2) * random.nextFloat() * stepX
            let y2 = gt.y2 + sign(3) * random.nextFloat() * stepY
            let box = Box(x1: x1, y1: y1, x2: x2, y2: y2).clipped(to: imageSize)
            result.append(JitteredBox(groundTruthIndex: index, signPattern: variant, box: box,
                                      target: coder.encode(gt, relativeTo: box)))
        }
    }
    return result
}

/// Indices of at most `limit` items per label, the first ones in order
/// (docs/method.md §Feature memory: push at most the first 80 jittered-box features of each
/// class).
public func firstIndicesPerLabel(_ labels: [Int], limit: Int) -> [Int] {
    var taken: [Int: Int] = [:]
    var indices: [Int] = []
    for (index, label) in labels.enumerated() where taken[label, default: 0] < limit {
        taken[label, default: 0] += 1
        indices.append(index)
    }
    return indices
}
