// Which anchors take part in RPN training: mmdetection v2 `valid_flags` (anchors of feature
// cells that cover the un-padded image) and `anchor_inside_flags` (allowed border).

extension AnchorGenerator {
    /// One flag per anchor of `level` (grid order): true when its cell lies inside the
    /// un-padded image, i.e. x < ceil(validSize.width / stride) and y < ceil(height / stride)
    /// (capped by the feature size). Padding added to reach a multiple of 32 is invalid.
    public func validFlags(level: Int, featureHeight: Int, featureWidth: Int, validSize: ImageSize) -> [Bool] {
        let stride = strides[level]
        let validW = Swift.min((validSize.width + stride - 1) / stride, featureWidth)
        let validH = Swift.min((validSize.height + stride - 1) / stride, featureHeight)
        var flags: [Bool] = []
        flags.reserveCapacity(featureHeight * featureWidth * anchorsPerLocation)
        for y in 0..<featureHeight {
            for x in 0..<featureWidth {
                let valid = x < validW && y < validH
                for _ in 0..<anchorsPerLocation { flags.append(valid) }
            }
        }
        return flags
    }
}

/// mmdetection v2 `anchor_inside_flags`: with `allowedBorder >= 0`, an anchor is used only if
/// it is valid and lies inside the image grown by `allowedBorder` pixels on every side;
/// with a negative `allowedBorder` (the RPN default, -1) the valid flags are used as they are.
public func anchorInsideFlags(_ anchors: [Box], validFlags: [Bool], imageSize: ImageSize, allowedBorder: Float) -> [Bool] {
    precondition(anchors.count == validFlags.count, "one valid flag per anchor")
    guard allowedBorder >= 0 else { return validFlags }
    let w = Float(imageSize.width), h = Float(imageSize.height)
    return zip(anchors, validFlags).map { anchor, valid in
        valid && anchor.x1 >= -allowedBorder && anchor.y1 >= -allowedBorder
            && anchor.x2 < w + allowedBorder && anchor.y2 < h + allowedBorder
    }
}
