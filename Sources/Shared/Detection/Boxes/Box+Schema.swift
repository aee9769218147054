// Conversions between the detector's Float XYXY `Box` and the dataset schema's Double boxes
// (`BoxXYXY` corners, COCO `BoxXYWH`), all in pixels; no +1 anywhere.
import SharedData

extension Box {
    /// A detector box from schema corners (Double -> Float).
    @inlinable public init(_ box: BoxXYXY) {
        self.init(x1: Float(box.x1), y1: Float(box.y1), x2: Float(box.x2), y2: Float(box.y2))
    }

    /// A detector box from a COCO [x, y, width, height] box.
    @inlinable public init(_ box: BoxXYWH) {
        self.init(BoxXYXY(box))
    }
}

extension BoxXYXY {
    /// Schema corners from a detector box (Float -> Double).
    @inlinable public init(_ box: Box) {
        self.init(x1: Double(box.x1), y1: Double(box.y1), x2: Double(box.x2), y2: Double(box.y2))
    }
}

extension BoxXYWH {
    /// A COCO [x, y, width, height] box (e.g. a result's `bbox`) from a detector box.
    @inlinable public init(_ box: Box) {
        self.init(BoxXYXY(box))
    }
}
