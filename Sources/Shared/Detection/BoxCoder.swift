// Box regression targets: mmdetection v2 `DeltaXYWHBBoxCoder` (the coder LOCE's reference,
// a fork of mmdetection 2.8, uses for the RPN and the box head).
//
// Convention: mmdetection v2, "+1-free": centre = (x1 + x2) / 2, width = x2 - x1 (NOT the
// legacy v1 coder with width = x2 - x1 + 1 and the +0.5 / -1 offsets on decode).
//   encode: dx = ((gx - px) / pw - mean0) / std0, dy likewise, dw = (log(gw / pw) - mean2) / std2, dh likewise
//   decode: d = delta * std + mean; dw, dh clamped to [-log(1000/16), +log(1000/16)];
//           gx = px + pw * dx, gw = pw * exp(dw); box = (gx -/+ gw/2, gy -/+ gh/2);
//           optionally clamped to the image (x in [0, W], y in [0, H]).
// torchvision's `BoxCoder(weights)` is the same with weights = 1 / stds, except that it
// clamps dw, dh only from above.
import Foundation

/// One regression target: (dx, dy, dw, dh), already normalised by the coder's means/stds.
public struct BoxDelta: Hashable, Sendable, CustomStringConvertible {
    public var dx: Float
    public var dy: Float
    public var dw: Float
    public var dh: Float

    @inlinable public init(dx: Float, dy: Float, dw: Float, dh: Float) {
        self.dx = dx; self.dy = dy; self.dw = dw; self.dh = dh
    }

    public static let zero = BoxDelta(dx: 0, dy: 0, dw: 0, dh: 0)

    public var description: String { "(\(dx), \(dy), \(dw), \(dh))" }
}

/// Encodes boxes as deltas relative to reference boxes (anchors, proposals) and back.
public struct DeltaXYWHBoxCoder: Hashable, Sendable {
    /// Means subtracted from raw deltas (mmdetection `target_means`), order dx, dy, dw, dh.
    public let means: (Float, Float, Float, Float)
    /// Standard deviations dividing raw deltas (mmdetection `target_stds`).
    public let stds: (Float, Float, Float, Float)
    /// |log| of the largest width/height change a decode may apply (log(1000/16)).
    public let maxLogRatio: Float

    /// The default clamp: |log(16 / 1000)| (mmdetection `wh_ratio_clip = 16 / 1000`).
    public static let defaultMaxLogRatio = Float(abs(log(16.0 / 1000.0)))

    public init(means: (Float, Float, Float, Float) = (0, 0, 0, 0),
                stds: (Float, Float, Float, Float),
                maxLogRatio: Float = DeltaXYWHBoxCoder.defaultMaxLogRatio) {
        precondition(stds.0 > 0 && stds.1 > 0 && stds.2 > 0 && stds.3 > 0, "coder stds must be positive")
        self.means = means; self.stds = stds; self.maxLogRatio = maxLogRatio
    }

    /// The RPN's coder: means 0, stds (1, 1, 1, 1).
    public static let rpn = DeltaXYWHBoxCoder(stds: (1, 1, 1, 1))
    /// The box head's coder: means 0, stds (0.1, 0.1, 0.2, 0.2).
    public static let rcnn = DeltaXYWHBoxCoder(stds: (0.1, 0.1, 0.2, 0.2))

    public static func == (a: DeltaXYWHBoxCoder, b: DeltaXYWHBoxCoder) -> Bool {
        a.means == b.means && a.stds == b.stds && a.maxLogRatio == b.maxLogRatio
    }

    public func hash(into hasher: inout Hasher) {
        for value in [means.0, means.1, means.2, means.3, stds.0, stds.1, stds.2, stds.3, maxLogRatio] {
            hasher.combine(value)
        }
    }

    /// The delta that moves `reference` onto `target`. `reference` must have positive size.
    @inlinable public func encode(_ target: Box, relativeTo reference: Box) -> BoxDelta {
        let pw = reference.x2 - reference.x1, ph = reference.y2 - reference.y1
        let px = (reference.x1 + reference.x2) * 0.5, py = (reference.y1 + reference.y2) * 0.5
        let gw = target.x2 - target.x1, gh = target.y2 - target.y1
        let gx = (target.x1 + target.x2) * 0.5, gy = (target.y1 + target.y2) * 0.5
        return BoxDelta(dx: ((gx - px) / pw - means.0) / stds.0,
                        dy: ((gy - py) / ph - means.1) / stds.1,
                        dw: (Foundation.log(gw / pw) - means.2) / stds.2,
                        dh: (Foundation.log(gh / ph) - means.3) / stds.3)
    }

    /// Applies `delta` to `reference`; clamps the result to `imageSize` when given.
    @inlinable public func decode(_ delta: BoxDelta, relativeTo reference: Box, clipTo imageSize: ImageSize? = nil) -> Box {
        let dx = delta.dx * stds.0 + means.0, dy = delta.dy * stds.1 + means.1
        let dw = Swift.min(Swift.max(delta.dw * stds.2 + means.2, -maxLogRatio), maxLogRatio)
        let dh = Swift.min(Swift.max(delta.dh * stds.3 + means.3, -maxLogRatio), maxLogRatio)
        let pw = reference.x2 - reference.x1, ph = reference.y2 - reference.y1
        let px = (reference.x1 + reference.x2) * 0.5, py = (reference.y1 + reference.y2) * 0.5
        let gw = pw * Foundation.exp(dw), gh = ph * Foundation.exp(dh)
        let gx = px + pw * dx, gy = py + ph * dy
        let box = Box(x1: gx - gw * 0.5, y1: gy - gh * 0.5, x2: gx + gw * 0.5, y2: gy + gh * 0.5)
        return imageSize.map { box.clipped(to: $0) } ?? box
    }

    /// Encodes `targets[i]` relative to `references[i]` for every i.
    public func encode(_ targets: [Box], relativeTo references: [Box]) -> [BoxDelta] {
        precondition(targets.count == references.count, "one reference box per target box")
        return zip(targets, references).map { encode($0, relativeTo: $1) }
    }

    /// Decodes `deltas[i]` relative to `references[i]` for every i.
    public func decode(_ deltas: [BoxDelta], relativeTo references: [Box], clipTo imageSize: ImageSize? = nil) -> [Box] {
        precondition(deltas.count == references.count, "one reference box per delta")
        return zip(deltas, references).map { decode($0, relativeTo: $1, clipTo: imageSize) }
    }
}
