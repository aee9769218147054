// Box regression targets: mmdetection v2 `DeltaXYWHBBoxCoder` (the coder LOCE's reference,
// a fork of mmdetection 2.8, uses for the RPN and the box head).
//
// Convention: mmdetection v2, "+1-free": centre = (x1 + x2) / 2, width = x2 - x1 (NOT the
// legacy v1 coder with width = x2 - x1 + 1 and the +0.5 / -1 offsets on decode).
//   encode: dx = ((gx - px) / pw - mean0) / std0, dy likewise, dw = (log(gw / pw) - mean2) / std2, dh likewise
//   decode: d = delta * std + mean; dw, dh clamped to [-log(1000/16), +log(1000/16)];
//           gx = px + pw * dx, gw = pw * exp(dw); box = (gx -/+ gw/2, gy -/+ gh/2);
//           optionally clamped to the image (x in [0, W], y in [0, H]).
// torchvision's `BoxCoder(weights)` is the same formula with weights = 1 / stds and no means,
// in other arithmetic (`convention` .torchvision, torchvision/models/detection/_utils.py):
//   encode: dx = wx * ((gx1 + 0.5 gw) - (px1 + 0.5 pw)) / pw, dw = ww * log(gw / pw), likewise y, h
//   decode: dx = delta / wx (not delta * std), dw, dh clamped from above only;
//           cx = dx * pw + (px1 + 0.5 pw), w = exp(dw) * pw; box = (cx -/+ 0.5 w, cy -/+ 0.5 h).
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
    /// Whose arithmetic encode and decode follow (`BoxCoderConfig.convention`).
    public let convention: DetectionConvention
    /// torchvision's weights, 1 / stds rounded once from the config's doubles (10, 10, 5, 5).
    public let weights: (Float, Float, Float, Float)

    /// The default clamp: |log(16 / 1000)| (mmdetection `wh_ratio_clip = 16 / 1000`).
    public static let defaultMaxLogRatio = Float(abs(log(16.0 / 1000.0)))

    public init(means: (Float, Float, Float, Float) = (0, 0, 0, 0),
                stds: (Float, Float, Float, Float),
                maxLogRatio: Float = DeltaXYWHBoxCoder.defaultMaxLogRatio) {
        precondition(stds.0 > 0 && stds.1 > 0 && stds.2 > 0 && stds.3 > 0, "coder stds must be positive")
        self.means = means; self.stds = stds; self.maxLogRatio = maxLogRatio
        convention = .mmdetection
        weights = (1 / stds.0, 1 / stds.1, 1 / stds.2, 1 / stds.3)
    }

    /// torchvision's `BoxCoder(weights)` (no means): `weights` are 1 / the config's stds.
    public init(torchvisionWeights weights: (Float, Float, Float, Float),
                maxLogRatio: Float = DeltaXYWHBoxCoder.defaultMaxLogRatio) {
        precondition(weights.0 > 0 && weights.1 > 0 && weights.2 > 0 && weights.3 > 0, "coder weights must be positive")
        self.weights = weights; self.maxLogRatio = maxLogRatio
        means = (0, 0, 0, 0)
        stds = (1 / weights.0, 1 / weights.1, 1 / weights.2, 1 / weights.3)
        convention = .torchvision
    }

    /// The coder of a config section: mmdetection's means and stds, or torchvision's weights
    /// 1 / stds (each rounded once to Float from the double quotient: 10, 10, 5, 5 for 0.1, 0.2).
    public init(config: BoxCoderConfig) {
        let m = config.means.map(Float.init), s = config.stds.map(Float.init)
        switch config.convention.resolved {
        case .mmdetection:
            self.init(means: (m[0], m[1], m[2], m[3]), stds: (s[0], s[1], s[2], s[3]))
        case .torchvision, .detectron2:  // detectron2's Box2BoxTransform (validation refuses the name here)
            let w = config.stds.map { Float(1 / $0) }
            self.init(torchvisionWeights: (w[0], w[1], w[2], w[3]))
        }
    }

    /// The RPN's coder: means 0, stds (1, 1, 1, 1).
    public static let rpn = DeltaXYWHBoxCoder(stds: (1, 1, 1, 1))
    /// The box head's coder: means 0, stds (0.1, 0.1, 0.2, 0.2).
    public static let rcnn = DeltaXYWHBoxCoder(stds: (0.1, 0.1, 0.2, 0.2))

    public static func == (a: DeltaXYWHBoxCoder, b: DeltaXYWHBoxCoder) -> Bool {
        a.means == b.means && a.stds == b.stds && a.maxLogRatio == b.maxLogRatio && a.convention == b.convention
            && a.weights == b.weights
    }

    public func hash(into hasher: inout Hasher) {
        for value in [means.0, means.1, means.2, means.3, stds.0, stds.1, stds.2, stds.3, maxLogRatio] {
            hasher.combine(value)
        }
        hasher.combine(convention)
    }

    /// The delta that moves `reference` onto `target`. `reference` must have positive size.
    @inlinable public func encode(_ target: Box, relativeTo reference: Box) -> BoxDelta {
        if convention == .torchvision { return encodeTorchvision(target, relativeTo: reference) }
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
        if convention == .torchvision { return decodeTorchvision(delta, relativeTo: reference, clipTo: imageSize) }
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

    /// torchvision `BoxCoder.encode_single`, operation for operation in float32.
    @inlinable func encodeTorchvision(_ target: Box, relativeTo reference: Box) -> BoxDelta {
        let pw = reference.x2 - reference.x1, ph = reference.y2 - reference.y1
        let px = reference.x1 + 0.5 * pw, py = reference.y1 + 0.5 * ph
        let gw = target.x2 - target.x1, gh = target.y2 - target.y1
        let gx = target.x1 + 0.5 * gw, gy = target.y1 + 0.5 * gh
        return BoxDelta(dx: weights.0 * (gx - px) / pw, dy: weights.1 * (gy - py) / ph,
                        dw: weights.2 * Foundation.log(gw / pw), dh: weights.3 * Foundation.log(gh / ph))
    }

    /// torchvision `BoxCoder.decode_single`, operation for operation in float32, then
    /// `clip_boxes_to_image` when `imageSize` is given.
    @inlinable func decodeTorchvision(_ delta: BoxDelta, relativeTo reference: Box, clipTo imageSize: ImageSize?) -> Box {
        let widths = reference.x2 - reference.x1, heights = reference.y2 - reference.y1
        let centerX = reference.x1 + 0.5 * widths, centerY = reference.y1 + 0.5 * heights
        let dx = delta.dx / weights.0, dy = delta.dy / weights.1
        let dw = Swift.min(delta.dw / weights.2, maxLogRatio), dh = Swift.min(delta.dh / weights.3, maxLogRatio)
        let predictedX = dx * widths + centerX, predictedY = dy * heights + centerY
        let halfW = 0.5 * (Foundation.exp(dw) * widths), halfH = 0.5 * (Foundation.exp(dh) * heights)
        let box = Box(x1: predictedX - halfW, y1: predictedY - halfH, x2: predictedX + halfW, y2: predictedY + halfH)
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
