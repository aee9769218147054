// The detector's own box: corners (x1, y1, x2, y2) in Float pixels of the image the network
// sees. Width and height are x2 - x1 and y2 - y1: the "+1-free" convention of mmdetection v2.

/// A box by its corners (XYXY), in Float pixels of one image (the network input unless a
/// function says otherwise). Degenerate boxes (x2 < x1) are allowed; their size is 0.
public struct Box: Hashable, Sendable, CustomStringConvertible {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    @inlinable public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }

    /// A box from its centre and size (width and height as given, no +1).
    @inlinable public init(centerX: Float, centerY: Float, width: Float, height: Float) {
        self.init(x1: centerX - 0.5 * width, y1: centerY - 0.5 * height,
                  x2: centerX + 0.5 * width, y2: centerY + 0.5 * height)
    }

    @inlinable public var width: Float { x2 - x1 }
    @inlinable public var height: Float { y2 - y1 }
    @inlinable public var centerX: Float { (x1 + x2) * 0.5 }
    @inlinable public var centerY: Float { (y1 + y2) * 0.5 }

    /// width * height, 0 for degenerate boxes.
    @inlinable public var area: Float { Swift.max(0, x2 - x1) * Swift.max(0, y2 - y1) }

    /// The four corners as an array [x1, y1, x2, y2] (for JSON and flat buffers).
    public var corners: [Float] { [x1, y1, x2, y2] }

    public var description: String { "[\(x1), \(y1), \(x2), \(y2)]" }
}

/// The size of an image in pixels (width x height).
public struct ImageSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    @inlinable public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width; self.height = height
    }

    public var description: String { "\(width)x\(height)" }
}
