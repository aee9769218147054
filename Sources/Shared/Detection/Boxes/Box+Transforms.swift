// Geometric transforms of boxes that follow an image transform: clipping to the image,
// scaling with a resize, horizontal flip.

extension Box {
    /// Clamps every coordinate into [0, width] x [0, height] (mmdetection v2 `clamp` with
    /// `max_shape`: x in [0, W], y in [0, H]; no -1).
    @inlinable public func clipped(to size: ImageSize) -> Box {
        let w = Float(size.width), h = Float(size.height)
        return Box(x1: Swift.min(Swift.max(x1, 0), w), y1: Swift.min(Swift.max(y1, 0), h),
                   x2: Swift.min(Swift.max(x2, 0), w), y2: Swift.min(Swift.max(y2, 0), h))
    }

    /// The box after the image was resized by `scaleX` horizontally and `scaleY` vertically
    /// (x coordinates times scaleX, y coordinates times scaleY).
    @inlinable public func scaled(x scaleX: Float, y scaleY: Float) -> Box {
        Box(x1: x1 * scaleX, y1: y1 * scaleY, x2: x2 * scaleX, y2: y2 * scaleY)
    }

    /// The box after a horizontal flip of an image `imageWidth` pixels wide:
    /// x1' = W - x2, x2' = W - x1 (mmdetection v2 `bbox_flip`, no -1).
    @inlinable public func flippedHorizontally(imageWidth: Int) -> Box {
        let w = Float(imageWidth)
        return Box(x1: w - x2, y1: y1, x2: w - x1, y2: y2)
    }

    /// True when both sides are at least `minimumSize` (mmdetection's `min_bbox_size` test).
    @inlinable public func hasSize(atLeast minimumSize: Float) -> Bool {
        width >= minimumSize && height >= minimumSize
    }
}
