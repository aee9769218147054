// The model refuses targets it cannot learn from: a box or polygon coordinate that is NaN,
// infinite, or too large for the float32 the model computes in. Checked before each training
// step, so a bad record is named instead of turning into a NaN loss (or a trap in the mask
// rasteriser).
import SharedSupport
import SharedData

/// A target coordinate that is not a finite float32, and where it is.
public struct NonFiniteTarget: Sendable, Equatable {
    public var imageID: Int
    /// Index of the instance among the image's instances.
    public var instance: Int
    /// "box [1.0, 2.0, nan, 4.0]" or "polygon 0, value 7: inf".
    public var what: String
}

extension BatchTargets {
    /// The first instance used as a target (not crowd, with polygons) whose box or polygon
    /// holds a coordinate that is not a finite float32; nil when all are.
    public static func firstNonFiniteTarget(_ batch: ImageBatch) -> NonFiniteTarget? {
        for image in batch.images {
            for (index, instance) in image.instances.enumerated() {
                guard !instance.isCrowd, let polygons = instance.polygons, !polygons.isEmpty else { continue }
                let box = instance.box
                if ![box.x1, box.y1, box.x2, box.y2].allSatisfy(isFiniteFloat32) {
                    return NonFiniteTarget(imageID: image.imageID.rawValue, instance: index,
                                           what: "box [\(box.x1), \(box.y1), \(box.x2), \(box.y2)]")
                }
                for (polygonIndex, polygon) in polygons.enumerated() {
                    if let valueIndex = polygon.firstIndex(where: { !isFiniteFloat32($0) }) {
                        return NonFiniteTarget(imageID: image.imageID.rawValue, instance: index,
                                               what: "polygon \(polygonIndex), value \(valueIndex): \(polygon[valueIndex])")
                    }
                }
            }
        }
        return nil
    }

    /// Throws a `ToolError` naming the record of `shards` (the training shard folder) when
    /// a target of `batch` is not finite.
    public static func requireFiniteTargets(_ batch: ImageBatch, shards: String) throws {
        guard let bad = firstNonFiniteTarget(batch) else { return }
        throw ToolError("instance \(bad.instance): \(bad.what) holds a value that is not a finite number (NaN, infinity, or "
                        + "beyond float32); the model cannot train on it",
                        file: shards, record: "image id \(bad.imageID)",
                        hint: "fix or remove that annotation in the source file, then convert the shards again (`lvis-prep convert`)")
    }

    static func isFiniteFloat32(_ value: Double) -> Bool {
        value.isFinite && abs(value) <= Double(Float.greatestFiniteMagnitude)
    }
}
