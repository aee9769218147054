// Box conventions as types: COCO's [x, y, width, height] and corner form [x1, y1, x2, y2],
// both in pixel coordinates of the original image, in doubles (as the json holds them).

/// A box as COCO stores it: top-left corner plus size, in pixels.
public struct BoxXYWH: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    @inlinable public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    @inlinable public init(_ corners: BoxXYXY) {
        self.init(x: corners.x1, y: corners.y1, width: corners.x2 - corners.x1, height: corners.y2 - corners.y1)
    }

    /// width * height (COCO's box-result area; no +1 pixel convention).
    @inlinable public var area: Double { width * height }

    public var description: String { "[\(x), \(y), \(width), \(height)]" }
}

/// A box by its corners, in pixels: (x1, y1) top-left, (x2, y2) bottom-right.
public struct BoxXYXY: Hashable, Sendable, CustomStringConvertible {
    public var x1: Double
    public var y1: Double
    public var x2: Double
    public var y2: Double

    @inlinable public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }

    @inlinable public init(_ box: BoxXYWH) {
        self.init(x1: box.x, y1: box.y, x2: box.x + box.width, y2: box.y + box.height)
    }

    @inlinable public var width: Double { x2 - x1 }
    @inlinable public var height: Double { y2 - y1 }
    @inlinable public var area: Double { (x2 - x1) * (y2 - y1) }

    public var description: String { "[\(x1), \(y1), \(x2), \(y2)]" }
}
